// libjpeg reports a fatal error by calling error_exit, which must not return;
// the usual answer is a longjmp, which Swift cannot do. These two helpers do
// the setjmp in C, so a corrupt file becomes an error message, never an exit.
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <setjmp.h>
#include <jpeglib.h>

struct gird_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void gird_jpeg_error_exit(j_common_ptr info) {
    struct gird_jpeg_error *error = (struct gird_jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

// Warnings (a corrupt but decodable stream) are kept quiet rather than printed.
static void gird_jpeg_output_message(j_common_ptr info) { (void)info; }

/// Decodes `size` bytes of JPEG to 8-bit RGB, rows top to bottom. On success
/// returns 0 and sets *pixels (free with free()), *width, *height; on failure
/// returns -1 with libjpeg's message in `message` (JMSG_LENGTH_MAX bytes).
static inline int gird_jpeg_decode_rgb(const unsigned char *bytes, unsigned long size,
                                       unsigned char **pixels, int *width, int *height, char *message) {
    struct jpeg_decompress_struct info;
    struct gird_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = gird_jpeg_error_exit;
    error.manager.output_message = gird_jpeg_output_message;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        strncpy(message, error.message, JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        jpeg_destroy_decompress(&info);
        free(buffer);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    buffer = (unsigned char *)malloc(stride * info.output_height);
    if (!buffer) {
        strcpy(message, "out of memory");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    *pixels = buffer;
    return 0;
}

/// Encodes 8-bit RGB (components 3) or grey (1) to a JPEG file at `quality`;
/// returns 0, or -1 with the message (for tests and tools).
static inline int gird_jpeg_encode_file(const char *path, const unsigned char *pixels, int width, int height,
                                        int components, int quality, char *message) {
    struct jpeg_compress_struct info;
    struct gird_jpeg_error error;
    FILE *volatile file = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = gird_jpeg_error_exit;
    error.manager.output_message = gird_jpeg_output_message;
    if (setjmp(error.jump)) {
        strncpy(message, error.message, JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        jpeg_destroy_compress(&info);
        if (file) fclose(file);
        return -1;
    }
    file = fopen(path, "wb");
    if (!file) {
        strncpy(message, strerror(errno), JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        return -1;
    }
    jpeg_create_compress(&info);
    jpeg_stdio_dest(&info, file);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = components;
    info.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    int closed = fclose(file);
    if (closed != 0) {
        strncpy(message, strerror(errno), JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        return -1;
    }
    return 0;
}
