#ifndef RINGMASTER_CBLAS_SHIM_H
#define RINGMASTER_CBLAS_SHIM_H

// OpenBLAS's CBLAS interface imports into Swift directly; this header only gathers
// the two headers needed (cblas.h for kernels, the OpenBLAS extensions for thread
// control and build information). Nothing but Sources/Tensors/BLAS.swift calls it.
#include <cblas.h>

#endif
