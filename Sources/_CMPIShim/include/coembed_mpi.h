#ifndef COEMBED_MPI_H
#define COEMBED_MPI_H

/* Plain-C entry points to OpenMPI for Swift. OpenMPI's MPI_COMM_WORLD, MPI_DOUBLE and MPI_SUM are
   macros over addresses of library globals, which Swift cannot import; these functions use them
   on the C side. Every function returns the MPI error code (MPI_SUCCESS = 0) unless noted. All
   collectives work on MPI_COMM_WORLD, whose error handler is set to MPI_ERRORS_RETURN by
   coembed_mpi_init so that a failure comes back as a code instead of killing the process. */

#include <stddef.h>
#include <stdint.h>

/* MPI_Init_thread with MPI_THREAD_FUNNELED (only the main thread calls MPI). */
int coembed_mpi_init(void);
/* 1 when MPI_Init has been called and MPI_Finalize has not. */
int coembed_mpi_is_initialized(void);
int coembed_mpi_finalize(void);
int coembed_mpi_rank(int *rank);
int coembed_mpi_size(int *size);
int coembed_mpi_barrier(void);
/* MPI_Bcast of `count` doubles from `root`. */
int coembed_mpi_bcast_double(double *buffer, int64_t count, int root);
/* MPI_Allgatherv of doubles: rank r contributes counts[r] values, stored at receive + displacements[r]. */
int coembed_mpi_allgatherv_double(const double *send, int64_t sendCount, double *receive,
                                  const int64_t *counts, const int64_t *displacements);
/* MPI_Allgatherv with MPI_IN_PLACE: rank r's values are already at buffer + displacements[r]. */
int coembed_mpi_allgatherv_inplace_double(double *buffer, const int64_t *counts, const int64_t *displacements);
/* MPI_Alltoallv of doubles (counts and displacements per rank, in numbers). */
int coembed_mpi_alltoallv_double(const double *send, const int64_t *sendCounts, const int64_t *sendDisplacements,
                                 double *receive, const int64_t *receiveCounts, const int64_t *receiveDisplacements);
/* Integer and byte collectives for reading the input (counts and displacements in elements). */
/* MPI_Allgatherv of int64 values. */
int coembed_mpi_allgatherv_int64(const int64_t *send, int64_t sendCount, int64_t *receive,
                                 const int64_t *counts, const int64_t *displacements);
/* MPI_Allgatherv of bytes. */
int coembed_mpi_allgatherv_bytes(const uint8_t *send, int64_t sendCount, uint8_t *receive,
                                 const int64_t *counts, const int64_t *displacements);
/* MPI_Alltoall of one int64 per rank (send[r] goes to rank r; receive[r] came from rank r). */
int coembed_mpi_alltoall_int64(const int64_t *send, int64_t *receive);
/* MPI_Alltoallv of int64 values. */
int coembed_mpi_alltoallv_int64(const int64_t *send, const int64_t *sendCounts, const int64_t *sendDisplacements,
                                int64_t *receive, const int64_t *receiveCounts, const int64_t *receiveDisplacements);
/* MPI_Allreduce (MPI_SUM, in place) of int64 values: exact, so the order does not matter. */
int coembed_mpi_allreduce_sum_int64(int64_t *buffer, int64_t count);
/* MPI_Abort(MPI_COMM_WORLD, code): does not return. */
void coembed_mpi_abort(int code);
/* The text of an MPI error code into `text` (at most `capacity` bytes, NUL-terminated). */
void coembed_mpi_error_string(int code, char *text, int capacity);

/* PARPACK (arpack-ng's pdsaupd_c / pdseupd_c, symmetric, double) on MPI_COMM_WORLD: the Fortran
   routines take a Fortran communicator handle, MPI_Comm_c2f(MPI_COMM_WORLD), made here. Arguments
   as arpack-ng's, n being this rank's number of rows; results in *info as ARPACK's. */
void coembed_pdsaupd(int *ido, const char *bmat, int n, const char *which, int nev, double tol, double *resid,
                     int ncv, double *v, int ldv, int *iparam, int *ipntr, double *workd, double *workl, int lworkl,
                     int *info);
void coembed_pdseupd(int rvec, const char *howmny, const int *select, double *d, double *z, int ldz, double sigma,
                     const char *bmat, int n, const char *which, int nev, double tol, double *resid, int ncv, double *v,
                     int ldv, int *iparam, int *ipntr, double *workd, double *workl, int lworkl, int *info);

#endif
