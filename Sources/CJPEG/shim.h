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

/// Reads only the headers of `size` bytes of JPEG: the full image's width and
/// height. Returns 0, or -1 with libjpeg's message.
static inline int gird_jpeg_read_size(const unsigned char *bytes, unsigned long size, int *width, int *height,
                                      char *message) {
    struct jpeg_decompress_struct info;
    struct gird_jpeg_error error;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = gird_jpeg_error_exit;
    error.manager.output_message = gird_jpeg_output_message;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        strncpy(message, error.message, JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        jpeg_destroy_decompress(&info);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, size);
    jpeg_read_header(&info, TRUE);
    *width = (int)info.image_width;
    *height = (int)info.image_height;
    jpeg_destroy_decompress(&info);
    return 0;
}

/// PIL's CMYK to RGB (Convert.c `cmyk2rgb`): each of R, G, B is
/// (255 - K) - C·(255 - K)/255, the product rounded as PIL's MULDIV255.
static inline unsigned char gird_cmyk_channel(unsigned int ink, unsigned int black) {
    unsigned int nk = 255 - black, t = ink * nk + 128;
    unsigned int product = ((t >> 8) + t) >> 8;
    return (unsigned char)(nk - product);
}

/// The decoders' common start, called after their setjmp: reads the headers,
/// asks for RGB (CMYK for CMYK and YCCK files, converted by
/// `gird_jpeg_read_rgb_rows`) at `eighths`/8 of the size, and starts the
/// decompression. Returns whether the file is CMYK.
static inline int gird_jpeg_begin(struct jpeg_decompress_struct *info, const unsigned char *bytes, unsigned long size,
                                  int eighths) {
    jpeg_create_decompress(info);
    jpeg_mem_src(info, bytes, size);
    jpeg_read_header(info, TRUE);
    int cmyk = info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK;
    info->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    info->scale_num = (unsigned int)(eighths >= 1 && eighths <= 8 ? eighths : 8);
    info->scale_denom = 8;
    jpeg_start_decompress(info);
    return cmyk;
}

/// Reads the next `rows` scanlines into `buffer` as RGB, `stride` bytes a
/// row; a CMYK file's through `ink` (output_width x 4 bytes), un-inverted
/// where an Adobe marker says the file stores inverted ink (as Photoshop
/// writes them, and as PIL reads them) and converted as PIL's `convert("RGB")`.
static inline void gird_jpeg_read_rgb_rows(struct jpeg_decompress_struct *info, unsigned char *buffer, size_t stride,
                                           JDIMENSION rows, int cmyk, unsigned char *ink) {
    for (JDIMENSION y = 0; y < rows; y++) {
        JSAMPROW row = buffer + stride * (size_t)y;
        if (!cmyk) {
            jpeg_read_scanlines(info, &row, 1);
            continue;
        }
        JSAMPROW source = ink;
        jpeg_read_scanlines(info, &source, 1);
        for (JDIMENSION x = 0; x < info->output_width; x++) {
            unsigned int c = ink[4 * x], m = ink[4 * x + 1], yellow = ink[4 * x + 2], k = ink[4 * x + 3];
            if (info->saw_Adobe_marker) { c = 255 - c; m = 255 - m; yellow = 255 - yellow; k = 255 - k; }
            row[3 * x] = gird_cmyk_channel(c, k);
            row[3 * x + 1] = gird_cmyk_channel(m, k);
            row[3 * x + 2] = gird_cmyk_channel(yellow, k);
        }
    }
}

/// Decodes `size` bytes of JPEG to 8-bit RGB, rows top to bottom, at
/// `eighths`/8 of its size (1 to 8: libjpeg-turbo's DCT scaling, an M x M
/// inverse DCT of each 8 x 8 block, which decodes less rather than decoding
/// all and shrinking; sides become ceil(side · M / 8)). CMYK and YCCK files
/// (a few ImageNet photos) as PIL reads them (`gird_jpeg_read_rgb_rows`).
/// On success returns 0 and sets *pixels (free with free()), *width,
/// *height; on failure returns -1 with libjpeg's message in `message`
/// (JMSG_LENGTH_MAX bytes).
static inline int gird_jpeg_decode_rgb_scaled(const unsigned char *bytes, unsigned long size, int eighths,
                                              unsigned char **pixels, int *width, int *height, char *message) {
    struct jpeg_decompress_struct info;
    struct gird_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    unsigned char *volatile ink = NULL;
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
        free(ink);
        return -1;
    }
    int cmyk = gird_jpeg_begin(&info, bytes, size, eighths);
    size_t stride = (size_t)info.output_width * 3;
    buffer = (unsigned char *)malloc(stride * info.output_height);
    if (cmyk) ink = (unsigned char *)malloc((size_t)info.output_width * 4);
    if (!buffer || (cmyk && !ink)) {
        strcpy(message, "out of memory");
        jpeg_destroy_decompress(&info);
        free(buffer);
        free(ink);
        return -1;
    }
    gird_jpeg_read_rgb_rows(&info, buffer, stride, info.output_height, cmyk, ink);
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    free(ink);
    *pixels = buffer;
    return 0;
}

/// Decodes only a region of a JPEG (libjpeg-turbo's `jpeg_crop_scanline` and
/// `jpeg_skip_scanlines`): rows `top` ..< `top + rows` and at least columns
/// `left` ..< `left + columns` of the image scaled by `eighths`/8, so
/// that a random-resized crop of a third of a photo decodes about a third of
/// it (all of its bits are still read: Huffman codes cannot be skipped).
/// libjpeg-turbo widens the columns to whole iMCUs: *first_column and
/// *width say which columns the buffer holds (its rows are `rows` long).
/// The pixels are those of a full decode but at the region's left and right
/// edges (a test compares them; `ImageDecoding.decodeJPEGRegion` asks for a
/// column more on each side), written to `buffer` (`capacity` bytes: rows x
/// the scaled image's width x 3 always suffices). CMYK as
/// `gird_jpeg_decode_rgb_scaled`. Returns 0, or -1 with libjpeg's message.
static inline int gird_jpeg_decode_rgb_region(const unsigned char *bytes, unsigned long size, int eighths,
                                              int left, int top, int columns, int rows,
                                              unsigned char *buffer, size_t capacity,
                                              int *first_column, int *width, char *message) {
    struct jpeg_decompress_struct info;
    struct gird_jpeg_error error;
    unsigned char *volatile ink = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = gird_jpeg_error_exit;
    error.manager.output_message = gird_jpeg_output_message;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        strncpy(message, error.message, JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        jpeg_destroy_decompress(&info);
        free(ink);
        return -1;
    }
    int cmyk = gird_jpeg_begin(&info, bytes, size, eighths);
    if (left < 0 || top < 0 || columns < 1 || rows < 1 || (JDIMENSION)(left + columns) > info.output_width
        || (JDIMENSION)(top + rows) > info.output_height) {
        strcpy(message, "the region is outside the image");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    JDIMENSION x = (JDIMENSION)left, w = (JDIMENSION)columns;
    jpeg_crop_scanline(&info, &x, &w);
    size_t stride = (size_t)info.output_width * 3;  /* output_width is now the cropped width */
    if (stride * (size_t)rows > capacity) {
        strcpy(message, "the region does not fit the buffer");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    if (top > 0) jpeg_skip_scanlines(&info, (JDIMENSION)top);
    if (cmyk && !(ink = (unsigned char *)malloc((size_t)info.output_width * 4))) {
        strcpy(message, "out of memory");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    gird_jpeg_read_rgb_rows(&info, buffer, stride, (JDIMENSION)rows, cmyk, ink);
    *first_column = (int)x;
    *width = (int)info.output_width;
    /* The rest of the image is not needed: destroying aborts the decode. */
    jpeg_destroy_decompress(&info);
    free(ink);
    return 0;
}

/// `gird_jpeg_decode_rgb_scaled` at full size.
static inline int gird_jpeg_decode_rgb(const unsigned char *bytes, unsigned long size,
                                       unsigned char **pixels, int *width, int *height, char *message) {
    return gird_jpeg_decode_rgb_scaled(bytes, size, 8, pixels, width, height, message);
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
