/*
 * MKL, which the CPU build of libtorch uses for matrix products, asks this function whether the CPU is made
 * by Intel and takes its slowest, generic code path when it is not. Answering yes lets MKL choose its kernels
 * by the CPU's own feature flags (AVX2, AVX-512) instead, as it does on Intel CPUs: on an AMD EPYC with
 * AVX-512 a decode step of a 0.5B model runs about 1.7x faster. The ./asyncrl wrapper builds this file with
 * cc and preloads it on AMD CPUs; set ASYNCRL_MKL_DISPATCH=0 to run MKL's own dispatch.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
