// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_DETAIL_OPENSSL_HPP
#define WEBHOOKS_CRYPTO_DETAIL_OPENSSL_HPP

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace webhooks::crypto::detail {

struct evp_mac_ctx_free { void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); } };
struct evp_md_ctx_free { void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); } };
struct evp_pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };

using mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, evp_mac_ctx_free>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, evp_md_ctx_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_free>;

// OpenSSL failing here means the library is broken or out of memory, never bad input: throw.
[[noreturn]] inline void openssl_failure(const char* what) { throw std::runtime_error(std::string("OpenSSL: ") + what); }

// Fetching is costly (a locked lookup in the provider store): each algorithm is fetched once per process.
inline EVP_MAC* hmac_algorithm_object() {
    static EVP_MAC* mac = [] {
        EVP_MAC* m = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
        if (!m) openssl_failure("EVP_MAC_fetch(HMAC)");
        return m;
    }();
    return mac;
}

inline EVP_MD* sha256_object() {
    static EVP_MD* md = [] {
        EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        if (!m) openssl_failure("EVP_MD_fetch(SHA256)");
        return m;
    }();
    return md;
}

// A string that wipes its bytes when it goes: for key material.
struct wiped_string : std::string {
    using std::string::string;
    wiped_string(std::string_view s) : std::string(s) {}
    wiped_string(const wiped_string&) = default;
    wiped_string(wiped_string&& o) noexcept : std::string(static_cast<const std::string&>(o)) { o.wipe(); }
    wiped_string& operator=(const wiped_string& o) { if (this != &o) { wipe(); std::string::operator=(o); } return *this; }
    wiped_string& operator=(wiped_string&& o) noexcept { if (this != &o) { wipe(); std::string::operator=(o); o.wipe(); } return *this; }
    ~wiped_string() { wipe(); }
    void wipe() noexcept { if (!empty()) OPENSSL_cleanse(data(), size()); clear(); }
};

} // namespace webhooks::crypto::detail

#endif
