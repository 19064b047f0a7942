// The MPI calls the engine makes, as plain C functions over plain types.
// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM) are macros over the
// addresses of library globals, which Swift cannot import; this wrapper names
// each call the engine needs instead. Every function returns 0 on success or
// an MPI error code (see gird_mpi_error_string); communication is on
// MPI_COMM_WORLD with MPI_ERRORS_RETURN, so a failure is a value, not an abort.
#ifndef CMPI_CALLS_H
#define CMPI_CALLS_H

#include <stddef.h>
#include <stdint.h>

// Whether this process was started by an MPI launcher (mpirun, mpiexec, srun
// with PMI/PMIx): then gird_mpi_init joins the job; otherwise MPI is never
// touched and the process runs alone.
int gird_mpi_launched(void);

int gird_mpi_init(int *rank, int *size);
int gird_mpi_finalize(void);
// Ends every process of the job with `code` (never returns on success).
void gird_mpi_abort(int code);
// A readable message for an MPI error code, written to `buffer`.
void gird_mpi_error_string(int code, char *buffer, int capacity);
// The name of the host this rank runs on.
int gird_mpi_processor_name(char *buffer, int capacity);

int gird_mpi_barrier(void);
// In place: every rank ends with the element-wise sum (or maximum).
int gird_mpi_allreduce_float_sum(float *values, int64_t count);
int gird_mpi_allreduce_double_sum(double *values, int64_t count);
int gird_mpi_allreduce_int64_max(int64_t *values, int64_t count);
int gird_mpi_allreduce_int64_sum(int64_t *values, int64_t count);

// Non-blocking in-place float sum: `*request` is an opaque handle to pass to
// gird_mpi_test or gird_mpi_wait (which frees it).
int gird_mpi_iallreduce_float_sum(float *values, int count, void **request);
int gird_mpi_test(void *request, int *done);
int gird_mpi_wait(void *request);

// Gathers `count` floats from every rank into `received`, rank r's at
// `offsets[r]`, `counts[r]` of them (counts and offsets have one entry a rank).
int gird_mpi_allgatherv_float(const float *values, int count, float *received, const int *counts, const int *offsets);
int gird_mpi_allgatherv_int64(const int64_t *values, int count, int64_t *received, const int *counts, const int *offsets);
// One int64 from every rank, in rank order.
int gird_mpi_allgather_int64(int64_t value, int64_t *received);
// `bytes` bytes from rank `root` to every rank.
int gird_mpi_broadcast(void *data, int64_t bytes, int root);

#endif
