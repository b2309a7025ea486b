// Native streaming kernels of the ERM loss and gradient (src/erm/native.ts):
// an optional Node-API addon, built at install by node-gyp where a C++
// compiler is present; without it the WebAssembly SIMD kernels of
// src/erm/simd.ts run.
//
// Why native: WebAssembly SIMD has 128-bit vectors, and its kernels are
// bound by arithmetic (8 flops and 2 Float32 → Float64 conversions per
// stored number, two numbers per instruction). The same Float64 arithmetic
// compiled here for 512- or 256-bit vectors takes a quarter or half of the
// instructions, and pass 2 of one block of tokens runs in the same sweeps
// as pass 1 of the next (`step`), so that it proceeds while the next tokens
// stream in from memory. bench/erm.ts times both against streaming reads of
// the same data.
#include <node_api.h>

#include <cstddef>
#include <cstdint>

// tokens per sweep and pass (at most): fewer sweeps over w and g per token
#define GROUP 8
// least prefetch distance, in floats (16 KB)
#define PREFETCH_AHEAD 4096

// The AVX builds rely on GCC's `#pragma GCC target` (clang ignores it and
// then rejects the intrinsics): with another compiler only the baseline is
// built, which 'auto' leaves to the WebAssembly kernels.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SLR_X86 1
#include <immintrin.h>
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,prefer-vector-width=512,tune=icelake-server")
namespace avx512 {
#define VW 8
#include "kernels.inc"
#undef VW
}  // namespace avx512
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2,fma,tune=haswell")
namespace avx2 {
#define VW 4
#include "kernels.inc"
#undef VW
}  // namespace avx2
#pragma GCC pop_options
#endif
namespace baseline {
#define VW 2
#include "kernels.inc"
#undef VW
}  // namespace baseline

typedef void (*SweepFn)(const float*, const float*, long, const double*, const double*, double*, double*,
                        const double*, double*, const float*);
typedef double (*SumFn)(const float*, long);

// One build of the kernels, with the test of whether this CPU runs it.
struct KernelSet {
  const char* name;
  const SweepFn (*sweeps)[GROUP + 1];
  SumFn sum1, sum8;
  bool (*runs)();
};

#ifdef SLR_X86
static bool runsAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
static bool runsAvx512() {
  return runsAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
}
#endif
static bool runsAlways() { return true; }

// widest first: the order in which the first load tries them
static const KernelSet kernelSets[] = {
#ifdef SLR_X86
    {"avx512", avx512::sweeps, avx512::sum1, avx512::sum8, runsAvx512},
    {"avx2", avx2::sweeps, avx2::sum1, avx2::sum8, runsAvx2},
#endif
    {"baseline", baseline::sweeps, baseline::sum1, baseline::sum8, runsAlways},
};

// the kernels in use (process-wide)
static const KernelSet* active = &kernelSets[sizeof kernelSets / sizeof kernelSets[0] - 1];

// Selects the build called `name` if it exists here and this CPU runs it;
// false otherwise (nothing changes).
static bool selectIsa(const char* name) {
  for (const KernelSet& set : kernelSets) {
    if (__builtin_strcmp(set.name, name) != 0) continue;
    if (!set.runs()) return false;
    active = &set;
    return true;
  }
  return false;
}

// ---- argument helpers: a wrong argument throws a TypeError/RangeError in JS

template <typename T>
struct Span {
  T* data = nullptr;
  size_t length = 0;
};

static bool fail(napi_env env, const char* message, bool range = false) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    if (range)
      napi_throw_range_error(env, "ERR_SLR_NATIVE", message);
    else
      napi_throw_type_error(env, "ERR_SLR_NATIVE", message);
  }
  return false;
}

template <typename T>
static bool typedArray(napi_env env, napi_value value, napi_typedarray_type want, bool optional, Span<T>* out,
                       const char* name) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return fail(env, name);
  if (optional && (type == napi_null || type == napi_undefined)) {
    *out = Span<T>();
    return true;
  }
  bool is = false;
  napi_is_typedarray(env, value, &is);
  if (!is) return fail(env, name);
  napi_typedarray_type t;
  size_t length;
  void* data;
  if (napi_get_typedarray_info(env, value, &t, &length, &data, nullptr, nullptr) != napi_ok || t != want)
    return fail(env, name);
  out->data = static_cast<T*>(data);
  out->length = length;
  return true;
}

static bool count(napi_env env, napi_value value, int64_t* out, const char* name) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok) return fail(env, name);
  if (!(d >= 0 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d)))
    return fail(env, name, true);
  *out = static_cast<int64_t>(d);
  return true;
}

// Reads exactly n arguments into argv (else throws a TypeError).
static bool arguments(napi_env env, napi_callback_info info, size_t n, napi_value* argv, const char* message) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != n) return fail(env, message);
  return true;
}

// Whether tokens [first/D, first/D + tokens) lie in X and their 2 numbers
// per token in `perToken`.
static bool checkTokens(napi_env env, const Span<const float>& X, int64_t first, int64_t tokens, int64_t D,
                        size_t perToken, const char* what) {
  if (tokens == 0) return true;
  if (!X.data || static_cast<double>(first) + static_cast<double>(tokens) * static_cast<double>(D) > static_cast<double>(X.length) ||
      static_cast<size_t>(2 * tokens) > perToken)
    return fail(env, what, true);
  return true;
}

// step(XA, firstA, tokensA, coefA, XB, firstB, tokensB, outB, wk, wv, gk, gv, D)
//
// Pass 2 of block A (tokensA tokens stored one after another from float
// firstA of XA; coefficients (ck, cv) per token in coefA; added into gk, gv)
// fused with pass 1 of block B (tokensB tokens from float firstB of XB;
// projections (χ, z) per token into outB): the k-th GROUP tokens of A and of B
// share one sweep over the D coordinates.
static napi_value Step(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  if (!arguments(env, info, 13, argv, "step expects 13 arguments")) return nullptr;
  Span<const float> XA, XB;
  Span<double> coefA, outB, wk, wv, gk, gv;
  int64_t firstA, tokensA, firstB, tokensB, D;
  if (!typedArray(env, argv[0], napi_float32_array, true, &XA, "XA: Float32Array or null") ||
      !count(env, argv[1], &firstA, "firstA: a count") || !count(env, argv[2], &tokensA, "tokensA: a count") ||
      !typedArray(env, argv[3], napi_float64_array, false, &coefA, "coefA: Float64Array") ||
      !typedArray(env, argv[4], napi_float32_array, true, &XB, "XB: Float32Array or null") ||
      !count(env, argv[5], &firstB, "firstB: a count") || !count(env, argv[6], &tokensB, "tokensB: a count") ||
      !typedArray(env, argv[7], napi_float64_array, false, &outB, "outB: Float64Array") ||
      !typedArray(env, argv[8], napi_float64_array, false, &wk, "wk: Float64Array") ||
      !typedArray(env, argv[9], napi_float64_array, false, &wv, "wv: Float64Array") ||
      !typedArray(env, argv[10], napi_float64_array, true, &gk, "gk: Float64Array or null") ||
      !typedArray(env, argv[11], napi_float64_array, true, &gv, "gv: Float64Array or null") ||
      !count(env, argv[12], &D, "D: a count"))
    return nullptr;
  const size_t d = static_cast<size_t>(D);
  if (D < 1 || wk.length < d || wv.length < d) {
    fail(env, "w_k, w_v shorter than D", true);
    return nullptr;
  }
  if (tokensA > 0 && (gk.length < d || gv.length < d)) {
    fail(env, "g_k, g_v shorter than D", true);
    return nullptr;
  }
  if (!checkTokens(env, XA, firstA, tokensA, D, coefA.length, "block A: tokens outside XA or coefA") ||
      !checkTokens(env, XB, firstB, tokensB, D, outB.length, "block B: tokens outside XB or outB"))
    return nullptr;
  const float* pa = tokensA > 0 ? XA.data + firstA : nullptr;
  const float* pb = tokensB > 0 ? XB.data + firstB : nullptr;
  const double* coef = coefA.data;
  double* out = outB.data;
  int64_t la = tokensA, lb = tokensB;
  while (la > 0 || lb > 0) {
    const int ga = la < GROUP ? static_cast<int>(la) : GROUP;
    const int gp = lb < GROUP ? static_cast<int>(lb) : GROUP;
    // Prefetch the tokens a group ahead in XB (the next group, or the next block's first tokens; at
    // least PREFETCH_AHEAD floats ahead for small D), if XB holds them: 9–10% faster at D = 3000,
    // 20–35% at D = 1000 and 200 (bench/erm.ts, N·L·D ≈ 3·10⁷).
    const size_t ahead = gp * d > PREFETCH_AHEAD ? gp * d : PREFETCH_AHEAD;
    const float* next =
        gp > 0 && static_cast<size_t>(pb - XB.data) + ahead + gp * d <= XB.length ? pb + ahead : nullptr;
    active->sweeps[ga][gp](pa, pb, D, wk.data, wv.data, gk.data, gv.data, coef, out, next);
    if (ga > 0) {
      pa += ga * d;
      coef += 2 * ga;
      la -= ga;
    }
    if (gp > 0) {
      pb += gp * d;
      out += 2 * gp;
      lb -= gp;
    }
  }
  return nullptr;
}

// sum(X, streams): Σ X[i] in double precision, read in 1 or 8 streams (the
// streaming-read references of the benchmark).
static napi_value Sum(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!arguments(env, info, 2, argv, "sum expects 2 arguments")) return nullptr;
  Span<const float> X;
  int64_t streams;
  if (!typedArray(env, argv[0], napi_float32_array, false, &X, "X: Float32Array") ||
      !count(env, argv[1], &streams, "streams: 1 or 8"))
    return nullptr;
  if (streams != 1 && streams != 8) {
    fail(env, "streams: 1 or 8", true);
    return nullptr;
  }
  napi_value result;
  napi_create_double(env, (streams == 1 ? active->sum1 : active->sum8)(X.data, static_cast<long>(X.length)), &result);
  return result;
}

// useIsa(name): selects the kernels of an instruction set for the whole
// process (tests, benchmarks); returns whether this CPU runs them.
static napi_value UseIsa(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[16] = {0};
  size_t length = 0;
  if (!arguments(env, info, 1, argv, "useIsa expects a name")) return nullptr;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) {
    fail(env, "useIsa expects a name");
    return nullptr;
  }
  napi_value result;
  napi_get_boolean(env, length < sizeof name - 1 && selectIsa(name), &result);
  return result;
}

// isa(): the instruction set of the kernels in use.
static napi_value Isa(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, active->name, NAPI_AUTO_LENGTH, &result);
  return result;
}

NAPI_MODULE_INIT() {
  // The first load (of any thread) picks the widest vectors this CPU runs.
  // The choice is process-wide: later loads (worker threads) keep it, so
  // that a `useIsa` of the main thread holds for its workers too.
  static bool chosen = false;
  if (!chosen) {
    for (const KernelSet& set : kernelSets)
      if (selectIsa(set.name)) break;
    chosen = true;
  }
  napi_value fn;
  napi_create_function(env, "step", NAPI_AUTO_LENGTH, Step, nullptr, &fn);
  napi_set_named_property(env, exports, "step", fn);
  napi_create_function(env, "sum", NAPI_AUTO_LENGTH, Sum, nullptr, &fn);
  napi_set_named_property(env, exports, "sum", fn);
  napi_create_function(env, "useIsa", NAPI_AUTO_LENGTH, UseIsa, nullptr, &fn);
  napi_set_named_property(env, exports, "useIsa", fn);
  napi_create_function(env, "isa", NAPI_AUTO_LENGTH, Isa, nullptr, &fn);
  napi_set_named_property(env, exports, "isa", fn);
  // the interface version src/erm/native.ts expects (a stale build is refused, not misused)
  napi_value version;
  napi_create_int32(env, 1, &version);
  napi_set_named_property(env, exports, "interfaceVersion", version);
  return exports;
}
