#include "CMPICalls.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

int gird_mpi_launched(void) {
    // Open MPI's mpirun, then PMIx (Open MPI 5, Slurm), then PMI-1/2 (MPICH-style srun).
    const char *names[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", NULL};
    for (int i = 0; names[i]; i++) {
        if (getenv(names[i])) return 1;
    }
    return 0;
}

int gird_mpi_init(int *rank, int *size) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        // Only the thread that called init makes MPI calls (the training
        // loop's); the loader's and the libraries' threads never do.
        int status = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        if (status != MPI_SUCCESS) return status;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int status = MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (status != MPI_SUCCESS) return status;
    return MPI_Comm_size(MPI_COMM_WORLD, size);
}

int gird_mpi_finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    return finalized ? MPI_SUCCESS : MPI_Finalize();
}

void gird_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

void gird_mpi_error_string(int code, char *buffer, int capacity) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
    text[length < MPI_MAX_ERROR_STRING ? length : MPI_MAX_ERROR_STRING - 1] = 0;
    if (capacity > 0) {
        strncpy(buffer, length ? text : "unknown MPI error", (size_t)capacity - 1);
        buffer[capacity - 1] = 0;
    }
}

int gird_mpi_processor_name(char *buffer, int capacity) {
    char name[MPI_MAX_PROCESSOR_NAME];
    int length = 0;
    int status = MPI_Get_processor_name(name, &length);
    if (status != MPI_SUCCESS) return status;
    name[length] = 0;
    if (capacity > 0) {
        strncpy(buffer, name, (size_t)capacity - 1);
        buffer[capacity - 1] = 0;
    }
    return MPI_SUCCESS;
}

int gird_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

// MPI counts are ints: longer buffers go in chunks of at most INT_MAX.
static int allreduce_chunked(void *values, int64_t count, MPI_Datatype type, size_t element, MPI_Op op) {
    char *bytes = values;
    while (count > 0) {
        int chunk = count > INT_MAX ? INT_MAX : (int)count;
        int status = MPI_Allreduce(MPI_IN_PLACE, bytes, chunk, type, op, MPI_COMM_WORLD);
        if (status != MPI_SUCCESS) return status;
        bytes += (size_t)chunk * element;
        count -= chunk;
    }
    return MPI_SUCCESS;
}

int gird_mpi_allreduce_float_sum(float *values, int64_t count) {
    return allreduce_chunked(values, count, MPI_FLOAT, sizeof(float), MPI_SUM);
}

int gird_mpi_allreduce_double_sum(double *values, int64_t count) {
    return allreduce_chunked(values, count, MPI_DOUBLE, sizeof(double), MPI_SUM);
}

int gird_mpi_allreduce_int64_max(int64_t *values, int64_t count) {
    return allreduce_chunked(values, count, MPI_INT64_T, sizeof(int64_t), MPI_MAX);
}

int gird_mpi_allreduce_int64_sum(int64_t *values, int64_t count) {
    return allreduce_chunked(values, count, MPI_INT64_T, sizeof(int64_t), MPI_SUM);
}

int gird_mpi_iallreduce_float_sum(float *values, int count, void **request) {
    MPI_Request *handle = malloc(sizeof(MPI_Request));
    if (!handle) return MPI_ERR_NO_MEM;
    int status = MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, handle);
    if (status != MPI_SUCCESS) {
        free(handle);
        return status;
    }
    *request = handle;
    return MPI_SUCCESS;
}

int gird_mpi_test(void *request, int *done) {
    return MPI_Test((MPI_Request *)request, done, MPI_STATUS_IGNORE);
}

int gird_mpi_wait(void *request) {
    int status = MPI_Wait((MPI_Request *)request, MPI_STATUS_IGNORE);
    free(request);
    return status;
}

int gird_mpi_allgatherv_float(const float *values, int count, float *received, const int *counts, const int *offsets) {
    return MPI_Allgatherv(values, count, MPI_FLOAT, received, counts, offsets, MPI_FLOAT, MPI_COMM_WORLD);
}

int gird_mpi_allgatherv_int64(const int64_t *values, int count, int64_t *received, const int *counts, const int *offsets) {
    return MPI_Allgatherv(values, count, MPI_INT64_T, received, counts, offsets, MPI_INT64_T, MPI_COMM_WORLD);
}

int gird_mpi_allgather_int64(int64_t value, int64_t *received) {
    return MPI_Allgather(&value, 1, MPI_INT64_T, received, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

int gird_mpi_broadcast(void *data, int64_t bytes, int root) {
    char *cursor = data;
    while (bytes > 0) {
        int chunk = bytes > INT_MAX ? INT_MAX : (int)bytes;
        int status = MPI_Bcast(cursor, chunk, MPI_BYTE, root, MPI_COMM_WORLD);
        if (status != MPI_SUCCESS) return status;
        cursor += chunk;
        bytes -= chunk;
    }
    return MPI_SUCCESS;
}
