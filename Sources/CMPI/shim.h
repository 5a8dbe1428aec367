// Open MPI for RNNKitDistributed. MPI's handles and constants (MPI_COMM_WORLD, MPI_FLOAT,
// MPI_INT, MPI_THREAD_FUNNELED) are macros over Open MPI's global objects, which Swift cannot
// import; these inline functions wrap the few calls RNNKit makes with them.
#ifndef RNNKIT_CMPI_SHIM_H
#define RNNKIT_CMPI_SHIM_H

#include <mpi.h>

/// Initialises MPI once (funnelled: only the thread that calls MPI uses it); 0 on success.
static inline int rk_mpi_initialize(void) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return 0;
  int provided = 0;
  return MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
}

/// Finalises MPI if it was initialised and not yet finalised.
static inline void rk_mpi_finalize(void) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Finalize();
}

static inline int rk_mpi_rank(void) {
  int rank = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

static inline int rk_mpi_size(void) {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

/// Every rank's `count` floats into `out` (size·count floats, rank order).
static inline int rk_mpi_allgather_floats(const float *values, int count, float *out) {
  return MPI_Allgather(values, count, MPI_FLOAT, out, count, MPI_FLOAT, MPI_COMM_WORLD);
}

/// Every rank's one long into `out` (size longs).
static inline int rk_mpi_allgather_long(long value, long *out) {
  return MPI_Allgather(&value, 1, MPI_LONG, out, 1, MPI_LONG, MPI_COMM_WORLD);
}

/// `root`'s `count` floats into `values` on every rank.
static inline int rk_mpi_broadcast_floats(float *values, int count, int root) {
  return MPI_Bcast(values, count, MPI_FLOAT, root, MPI_COMM_WORLD);
}

/// Ends every rank of the job (what a rank that cannot go on calls).
static inline void rk_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

#endif
