/* OpenCV's BLAS/LAPACK calls answered by numpy's OpenBLAS: one BLAS in the bundle.
 *
 * opencv-python-headless carries a second OpenBLAS (with libgfortran and libquadmath:
 * 50 MB) for the 19 routines cv2 calls. numpy's OpenBLAS has them all, with 64-bit
 * integers and a scipy_ prefix; this library keeps OpenCV's names and 32-bit integers and
 * forwards each call, widening the integers on the way in and narrowing them on the way
 * out (pivots, info). Built by installer/build.sh under the name cv2 asks for.
 */
#include <stdint.h>
#include <stdlib.h>

typedef int64_t i64;

#define B(name) scipy_##name##64_
#define L(name) scipy_##name##_64_

/* numpy's OpenBLAS (ILP64) */
void B(cblas_sgemm)(int, int, int, i64, i64, i64, float, const float *, i64, const float *,
                    i64, float, float *, i64);
void B(cblas_dgemm)(int, int, int, i64, i64, i64, double, const double *, i64,
                    const double *, i64, double, double *, i64);
void B(cblas_cgemm)(int, int, int, i64, i64, i64, const void *, const void *, i64,
                    const void *, i64, const void *, void *, i64);
void B(cblas_zgemm)(int, int, int, i64, i64, i64, const void *, const void *, i64,
                    const void *, i64, const void *, void *, i64);

void cblas_sgemm(int o, int ta, int tb, int m, int n, int k, float alpha, const float *a,
                 int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    B(cblas_sgemm)(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_dgemm(int o, int ta, int tb, int m, int n, int k, double alpha, const double *a,
                 int lda, const double *b, int ldb, double beta, double *c, int ldc) {
    B(cblas_dgemm)(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_cgemm(int o, int ta, int tb, int m, int n, int k, const void *alpha,
                 const void *a, int lda, const void *b, int ldb, const void *beta, void *c,
                 int ldc) {
    B(cblas_cgemm)(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_zgemm(int o, int ta, int tb, int m, int n, int k, const void *alpha,
                 const void *a, int lda, const void *b, int ldb, const void *beta, void *c,
                 int ldc) {
    B(cblas_zgemm)(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* integer arrays: widened copies, written back after the call */
static i64 *widen(const int *v, int n) {
    i64 *w = malloc(sizeof(i64) * (size_t)(n > 0 ? n : 1));
    if (w && v)
        for (int i = 0; i < n; i++) w[i] = v[i];
    return w;
}
static void narrow(int *v, const i64 *w, int n) {
    for (int i = 0; i < n; i++) v[i] = (int)w[i];
}
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define NOMEM(info) \
    do { *(info) = -1000; return; } while (0)  /* LAPACK's "an argument is wrong" */

/* LAPACK (Fortran calling convention; the trailing lengths of character arguments) */
#define GESV(T, name)                                                                     \
    void L(name)(const i64 *, const i64 *, T *, const i64 *, i64 *, T *, const i64 *,   \
                 i64 *);                                                                  \
    void name##_(const int *n, const int *nrhs, T *a, const int *lda, int *ipiv, T *b,   \
                 const int *ldb, int *info) {                                            \
        i64 n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, info_ = 0;                 \
        i64 *ipiv_ = widen(NULL, *n);                                                    \
        if (!ipiv_) NOMEM(info);                                                         \
        L(name)(&n_, &nrhs_, a, &lda_, ipiv_, b, &ldb_, &info_);                         \
        narrow(ipiv, ipiv_, *n);                                                         \
        free(ipiv_);                                                                     \
        *info = (int)info_;                                                              \
    }
GESV(float, sgesv)
GESV(double, dgesv)

#define GETRF(T, name)                                                                    \
    void L(name)(const i64 *, const i64 *, T *, const i64 *, i64 *, i64 *);               \
    void name##_(const int *m, const int *n, T *a, const int *lda, int *ipiv, int *info) { \
        i64 m_ = *m, n_ = *n, lda_ = *lda, info_ = 0;                                    \
        int k = MIN(*m, *n);                                                             \
        i64 *ipiv_ = widen(NULL, k);                                                     \
        if (!ipiv_) NOMEM(info);                                                         \
        L(name)(&m_, &n_, a, &lda_, ipiv_, &info_);                                      \
        narrow(ipiv, ipiv_, k);                                                          \
        free(ipiv_);                                                                     \
        *info = (int)info_;                                                              \
    }
GETRF(float, sgetrf)
GETRF(double, dgetrf)

#define POSV(T, name)                                                                      \
    void L(name)(const char *, const i64 *, const i64 *, T *, const i64 *, T *,            \
                 const i64 *, i64 *, size_t);                                              \
    void name##_(const char *uplo, const int *n, const int *nrhs, T *a, const int *lda,   \
                 T *b, const int *ldb, int *info) {                                       \
        i64 n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, info_ = 0;                  \
        L(name)(uplo, &n_, &nrhs_, a, &lda_, b, &ldb_, &info_, 1);                        \
        *info = (int)info_;                                                               \
    }
POSV(float, sposv)
POSV(double, dposv)

#define POTRF(T, name)                                                                \
    void L(name)(const char *, const i64 *, T *, const i64 *, i64 *, size_t);         \
    void name##_(const char *uplo, const int *n, T *a, const int *lda, int *info) {  \
        i64 n_ = *n, lda_ = *lda, info_ = 0;                                         \
        L(name)(uplo, &n_, a, &lda_, &info_, 1);                                     \
        *info = (int)info_;                                                          \
    }
POTRF(float, spotrf)
POTRF(double, dpotrf)

#define GEQRF(T, name)                                                                     \
    void L(name)(const i64 *, const i64 *, T *, const i64 *, T *, T *, const i64 *, i64 *); \
    void name##_(const int *m, const int *n, T *a, const int *lda, T *tau, T *work,         \
                 const int *lwork, int *info) {                                            \
        i64 m_ = *m, n_ = *n, lda_ = *lda, lwork_ = *lwork, info_ = 0;                     \
        L(name)(&m_, &n_, a, &lda_, tau, work, &lwork_, &info_);                           \
        *info = (int)info_;                                                                \
    }
GEQRF(float, sgeqrf)
GEQRF(double, dgeqrf)

#define GELS(T, name)                                                                       \
    void L(name)(const char *, const i64 *, const i64 *, const i64 *, T *, const i64 *, T *, \
                 const i64 *, T *, const i64 *, i64 *, size_t);                             \
    void name##_(const char *trans, const int *m, const int *n, const int *nrhs, T *a,      \
                 const int *lda, T *b, const int *ldb, T *work, const int *lwork,           \
                 int *info) {                                                               \
        i64 m_ = *m, n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, lwork_ = *lwork,     \
            info_ = 0;                                                                      \
        L(name)(trans, &m_, &n_, &nrhs_, a, &lda_, b, &ldb_, work, &lwork_, &info_, 1);     \
        *info = (int)info_;                                                                 \
    }
GELS(float, sgels)
GELS(double, dgels)

#define GESDD(T, name)                                                                     \
    void L(name)(const char *, const i64 *, const i64 *, T *, const i64 *, T *, T *,       \
                 const i64 *, T *, const i64 *, T *, const i64 *, i64 *, i64 *, size_t);   \
    void name##_(const char *jobz, const int *m, const int *n, T *a, const int *lda, T *s, \
                 T *u, const int *ldu, T *vt, const int *ldvt, T *work, const int *lwork,  \
                 int *iwork, int *info) {                                                  \
        i64 m_ = *m, n_ = *n, lda_ = *lda, ldu_ = *ldu, ldvt_ = *ldvt, lwork_ = *lwork,    \
            info_ = 0;                                                                     \
        int k = 8 * MIN(*m, *n);                                                           \
        i64 *iwork_ = widen(NULL, k);                                                      \
        if (!iwork_) NOMEM(info);                                                          \
        L(name)(jobz, &m_, &n_, a, &lda_, s, u, &ldu_, vt, &ldvt_, work, &lwork_, iwork_,  \
                &info_, 1);                                                                \
        narrow(iwork, iwork_, k);                                                          \
        free(iwork_);                                                                      \
        *info = (int)info_;                                                                \
    }
GESDD(float, sgesdd)
GESDD(double, dgesdd)

void L(dgeev)(const char *, const char *, const i64 *, double *, const i64 *, double *,
              double *, double *, const i64 *, double *, const i64 *, double *, const i64 *,
              i64 *, size_t, size_t);
void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda,
            double *wr, double *wi, double *vl, const int *ldvl, double *vr, const int *ldvr,
            double *work, const int *lwork, int *info) {
    i64 n_ = *n, lda_ = *lda, ldvl_ = *ldvl, ldvr_ = *ldvr, lwork_ = *lwork, info_ = 0;
    L(dgeev)(jobvl, jobvr, &n_, a, &lda_, wr, wi, vl, &ldvl_, vr, &ldvr_, work, &lwork_,
             &info_, 1, 1);
    *info = (int)info_;
}
