// libhdf5 for RNNKitKeras. Swift cannot import HDF5's property-list, type and flag macros
// (H5P_DEFAULT, H5T_NATIVE_FLOAT, H5F_ACC_RDONLY, ...: casts and global-variable reads), nor
// the version-dependent string reclaim; these inline functions return or call them.
#ifndef RNNKIT_CHDF5_SHIM_H
#define RNNKIT_CHDF5_SHIM_H

#include <hdf5.h>
#include <stddef.h>

static inline hid_t rk_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t rk_h5s_all(void) { return H5S_ALL; }
static inline hid_t rk_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t rk_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t rk_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t rk_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t rk_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t rk_h5t_c_s1(void) { return H5T_C_S1; }
static inline size_t rk_h5t_variable(void) { return H5T_VARIABLE; }

/// Silences HDF5's error-stack printing on this thread; RNNKit reports its own errors.
static inline void rk_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Opens a copy of the `size` bytes at `image` as a read-only HDF5 file in memory (the core
/// driver with no backing store): no temporary file. Negative on failure.
static inline hid_t rk_h5_open_image(const void *image, size_t size, const char *name) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  hid_t file = -1;
  if (H5Pset_fapl_core(fapl, 64 * 1024, 0) >= 0 && H5Pset_file_image(fapl, (void *)image, size) >= 0) {
    file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
  }
  H5Pclose(fapl);
  return file;
}

/// Creates an empty HDF5 file in memory (core driver, no backing store); its bytes come
/// from H5Fget_file_image. Negative on failure.
static inline hid_t rk_h5_create_in_memory(const char *name) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  hid_t file = -1;
  if (H5Pset_fapl_core(fapl, 64 * 1024, 0) >= 0) {
    file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  }
  H5Pclose(fapl);
  return file;
}

/// A creation property list (H5P_GROUP_CREATE or H5P_DATASET_CREATE) that records no
/// modification times, so the same tree always writes the same bytes. Close it with H5Pclose.
static inline hid_t rk_h5_untimed_creation(int dataset) {
  hid_t plist = H5Pcreate(dataset ? H5P_DATASET_CREATE : H5P_GROUP_CREATE);
  if (plist >= 0) H5Pset_obj_track_times(plist, 0);
  return plist;
}

/// 0 for a group, 1 for a dataset, 2 for anything else, -1 when `name` cannot be opened.
static inline int rk_h5_object_kind(hid_t location, const char *name) {
  hid_t object = H5Oopen(location, name, H5P_DEFAULT);
  if (object < 0) return -1;
  H5I_type_t type = H5Iget_type(object);
  H5Oclose(object);
  return type == H5I_GROUP ? 0 : type == H5I_DATASET ? 1 : 2;
}

/// Frees the strings HDF5 allocated while reading variable-length strings into `buffer`.
static inline void rk_h5_reclaim_strings(hid_t memory_type, hid_t space, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(memory_type, space, H5P_DEFAULT, buffer);
#else
  H5Dvlen_reclaim(memory_type, space, H5P_DEFAULT, buffer);
#endif
}

#endif
