/* The property every generated OCI type must keep: what parses,
 * generates; what it generates parses again and generates the same bytes
 * (canonical form is a fixed point); the pretty form parses to the same
 * document. Everything is freed on every path, so leaks show. */
#ifndef SLOIKA_TESTS_FUZZ_JSON_ROUNDTRIP_H
#define SLOIKA_TESTS_FUZZ_JSON_ROUNDTRIP_H

#include "tests/fuzz/fuzz.h"

#define FUZZ_JSON_ROUNDTRIP(T, data, len, source) do { \
        sl_error e_ = {0}; \
        T *v_ = T##_parse_data((data), (len), (source), &e_); \
        if (!v_) { \
                FUZZ_ASSERT(e_.msg[0], "%s: parse failed without a message", #T); \
                break; \
        } \
        char *c1_ = NULL, *c2_ = NULL, *p_ = NULL, *c3_ = NULL; \
        size_t n1_ = 0, n2_ = 0, np_ = 0, n3_ = 0; \
        FUZZ_ASSERT(T##_generate(v_, 0, &c1_, &n1_, &e_) == 0, "%s: parsed but cannot generate: %s", #T, e_.msg); \
        FUZZ_ASSERT(T##_generate(v_, OCI_GEN_PRETTY, &p_, &np_, &e_) == 0, "%s: pretty: %s", #T, e_.msg); \
        T##_free(v_); \
        v_ = T##_parse_data(c1_, n1_, "generated", &e_); \
        FUZZ_ASSERT(v_, "%s: own output does not parse: %s\n%.*s", #T, e_.msg, (int)n1_, c1_); \
        FUZZ_ASSERT(T##_generate(v_, 0, &c2_, &n2_, &e_) == 0, "%s: regenerate: %s", #T, e_.msg); \
        FUZZ_ASSERT(n1_ == n2_ && memcmp(c1_, c2_, n1_) == 0, "%s: not a fixed point:\n%.*s\n%.*s", #T, \
                    (int)n1_, c1_, (int)n2_, c2_); \
        T##_free(v_); \
        v_ = T##_parse_data(p_, np_, "generated-pretty", &e_); \
        FUZZ_ASSERT(v_, "%s: own pretty output does not parse: %s", #T, e_.msg); \
        FUZZ_ASSERT(T##_generate(v_, 0, &c3_, &n3_, &e_) == 0, "%s: regenerate pretty: %s", #T, e_.msg); \
        FUZZ_ASSERT(n1_ == n3_ && memcmp(c1_, c3_, n1_) == 0, "%s: pretty differs from compact", #T); \
        T##_free(v_); \
        free(c1_); \
        free(c2_); \
        free(p_); \
        free(c3_); \
} while (0)

#endif
