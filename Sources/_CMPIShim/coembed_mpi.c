#include "coembed_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <arpack/parpack.h>
#include <stdlib.h>
#include <string.h>

int coembed_mpi_init(void) {
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS) return rc;
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

int coembed_mpi_is_initialized(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

int coembed_mpi_finalize(void) { return MPI_Finalize(); }
int coembed_mpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
int coembed_mpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }
int coembed_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/* MPI counts are int: buffers longer than INT_MAX go in pieces. */
int coembed_mpi_bcast_double(double *buffer, int64_t count, int root) {
    for (int64_t done = 0; done < count;) {
        int piece = (int)(count - done > INT_MAX ? INT_MAX : count - done);
        int rc = MPI_Bcast(buffer + done, piece, MPI_DOUBLE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
        done += piece;
    }
    return MPI_SUCCESS;
}

/* int64 counts to MPI's int arrays (malloc'd, size entries); MPI_ERR_COUNT when one does not fit. */
static int to_int_array(const int64_t *values, int size, int **out) {
    *out = malloc(sizeof(int) * (size_t)(size > 0 ? size : 1));
    if (!*out) return MPI_ERR_NO_MEM;
    for (int r = 0; r < size; r++) {
        if (values[r] < 0 || values[r] > INT_MAX) { free(*out); *out = NULL; return MPI_ERR_COUNT; }
        (*out)[r] = (int)values[r];
    }
    return MPI_SUCCESS;
}

int coembed_mpi_allgatherv_double(const double *send, int64_t sendCount, double *receive,
                                  const int64_t *counts, const int64_t *displacements) {
    int size = 0, rc = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rc != MPI_SUCCESS) return rc;
    if (sendCount > INT_MAX) return MPI_ERR_COUNT;
    int *c = NULL, *d = NULL;
    if ((rc = to_int_array(counts, size, &c)) != MPI_SUCCESS) return rc;
    if ((rc = to_int_array(displacements, size, &d)) != MPI_SUCCESS) { free(c); return rc; }
    rc = MPI_Allgatherv(send, (int)sendCount, MPI_DOUBLE, receive, c, d, MPI_DOUBLE, MPI_COMM_WORLD);
    free(c);
    free(d);
    return rc;
}

int coembed_mpi_allgatherv_inplace_double(double *buffer, const int64_t *counts, const int64_t *displacements) {
    int size = 0, rc = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rc != MPI_SUCCESS) return rc;
    int *c = NULL, *d = NULL;
    if ((rc = to_int_array(counts, size, &c)) != MPI_SUCCESS) return rc;
    if ((rc = to_int_array(displacements, size, &d)) != MPI_SUCCESS) { free(c); return rc; }
    rc = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buffer, c, d, MPI_DOUBLE, MPI_COMM_WORLD);
    free(c);
    free(d);
    return rc;
}

int coembed_mpi_alltoallv_double(const double *send, const int64_t *sendCounts, const int64_t *sendDisplacements,
                                 double *receive, const int64_t *receiveCounts, const int64_t *receiveDisplacements) {
    int size = 0, rc = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rc != MPI_SUCCESS) return rc;
    int *sc = NULL, *sd = NULL, *rcnt = NULL, *rd = NULL;
    if ((rc = to_int_array(sendCounts, size, &sc)) == MPI_SUCCESS &&
        (rc = to_int_array(sendDisplacements, size, &sd)) == MPI_SUCCESS &&
        (rc = to_int_array(receiveCounts, size, &rcnt)) == MPI_SUCCESS &&
        (rc = to_int_array(receiveDisplacements, size, &rd)) == MPI_SUCCESS) {
        rc = MPI_Alltoallv(send, sc, sd, MPI_DOUBLE, receive, rcnt, rd, MPI_DOUBLE, MPI_COMM_WORLD);
    }
    free(sc); free(sd); free(rcnt); free(rd);
    return rc;
}

static int allgatherv_typed(const void *send, int64_t sendCount, void *receive, const int64_t *counts,
                            const int64_t *displacements, MPI_Datatype type) {
    int size = 0, rc = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rc != MPI_SUCCESS) return rc;
    if (sendCount < 0 || sendCount > INT_MAX) return MPI_ERR_COUNT;
    int *c = NULL, *d = NULL;
    if ((rc = to_int_array(counts, size, &c)) != MPI_SUCCESS) return rc;
    if ((rc = to_int_array(displacements, size, &d)) != MPI_SUCCESS) { free(c); return rc; }
    rc = MPI_Allgatherv(send, (int)sendCount, type, receive, c, d, type, MPI_COMM_WORLD);
    free(c);
    free(d);
    return rc;
}

int coembed_mpi_allgatherv_int64(const int64_t *send, int64_t sendCount, int64_t *receive,
                                 const int64_t *counts, const int64_t *displacements) {
    return allgatherv_typed(send, sendCount, receive, counts, displacements, MPI_INT64_T);
}

int coembed_mpi_allgatherv_bytes(const uint8_t *send, int64_t sendCount, uint8_t *receive,
                                 const int64_t *counts, const int64_t *displacements) {
    return allgatherv_typed(send, sendCount, receive, counts, displacements, MPI_BYTE);
}

int coembed_mpi_alltoall_int64(const int64_t *send, int64_t *receive) {
    return MPI_Alltoall(send, 1, MPI_INT64_T, receive, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

int coembed_mpi_alltoallv_int64(const int64_t *send, const int64_t *sendCounts, const int64_t *sendDisplacements,
                                int64_t *receive, const int64_t *receiveCounts, const int64_t *receiveDisplacements) {
    int size = 0, rc = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rc != MPI_SUCCESS) return rc;
    int *sc = NULL, *sd = NULL, *rcnt = NULL, *rd = NULL;
    if ((rc = to_int_array(sendCounts, size, &sc)) == MPI_SUCCESS &&
        (rc = to_int_array(sendDisplacements, size, &sd)) == MPI_SUCCESS &&
        (rc = to_int_array(receiveCounts, size, &rcnt)) == MPI_SUCCESS &&
        (rc = to_int_array(receiveDisplacements, size, &rd)) == MPI_SUCCESS) {
        rc = MPI_Alltoallv(send, sc, sd, MPI_INT64_T, receive, rcnt, rd, MPI_INT64_T, MPI_COMM_WORLD);
    }
    free(sc); free(sd); free(rcnt); free(rd);
    return rc;
}

int coembed_mpi_allreduce_sum_int64(int64_t *buffer, int64_t count) {
    for (int64_t done = 0; done < count;) {
        int piece = (int)(count - done > INT_MAX ? INT_MAX : count - done);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buffer + done, piece, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
        done += piece;
    }
    return MPI_SUCCESS;
}

void coembed_mpi_abort(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code); /* MPI_Abort does not return; keep the promise if it ever does. */
}

void coembed_mpi_error_string(int code, char *text, int capacity) {
    if (capacity <= 0) return;
    char buffer[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, buffer, &length) != MPI_SUCCESS) length = 0;
    if (length >= capacity) length = capacity - 1;
    memcpy(text, buffer, (size_t)length);
    text[length] = 0;
}

void coembed_pdsaupd(int *ido, const char *bmat, int n, const char *which, int nev, double tol, double *resid,
                     int ncv, double *v, int ldv, int *iparam, int *ipntr, double *workd, double *workl, int lworkl,
                     int *info) {
    pdsaupd_c(MPI_Comm_c2f(MPI_COMM_WORLD), ido, bmat, n, which, nev, tol, resid, ncv, v, ldv, iparam, ipntr, workd,
              workl, lworkl, info);
}

void coembed_pdseupd(int rvec, const char *howmny, const int *select, double *d, double *z, int ldz, double sigma,
                     const char *bmat, int n, const char *which, int nev, double tol, double *resid, int ncv, double *v,
                     int ldv, int *iparam, int *ipntr, double *workd, double *workl, int lworkl, int *info) {
    pdseupd_c(MPI_Comm_c2f(MPI_COMM_WORLD), rvec, howmny, select, d, z, ldz, sigma, bmat, n, which, nev, tol, resid,
              ncv, v, ldv, iparam, ipntr, workd, workl, lworkl, info);
}
