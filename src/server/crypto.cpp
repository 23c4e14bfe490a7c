#include "kamusm/server/crypto.hpp"

#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
extern "C" { // mbedTLS 2.28 forgot the C linkage guard in this header
#include <mbedtls/constant_time.h>
}
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/sha256.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace kamusm::server {

namespace {

class Drbg {
public:
    Drbg() {
        mbedtls_entropy_init(&entropy_);
        mbedtls_ctr_drbg_init(&drbg_);
        static const unsigned char personal[] = "kamusm-server";
        if (mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, personal,
                                  sizeof personal - 1) != 0)
            throw std::runtime_error("cannot seed the random generator");
    }
    ~Drbg() {
        mbedtls_ctr_drbg_free(&drbg_);
        mbedtls_entropy_free(&entropy_);
    }
    int fill(unsigned char* output, std::size_t length) {
        std::lock_guard lock(mutex_);
        // ctr_drbg hands out at most MBEDTLS_CTR_DRBG_MAX_REQUEST bytes per call.
        for (std::size_t done = 0; done < length;) {
            std::size_t chunk = std::min<std::size_t>(length - done, MBEDTLS_CTR_DRBG_MAX_REQUEST);
            if (int rc = mbedtls_ctr_drbg_random(&drbg_, output + done, chunk); rc != 0) return rc;
            done += chunk;
        }
        return 0;
    }

private:
    std::mutex mutex_;
    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
};

Drbg& drbg() {
    static Drbg instance;
    return instance;
}

void append(Bytes& out, std::string_view text) {
    out.insert(out.end(), text.begin(), text.end());
}

} // namespace

int randomCallback(void*, unsigned char* output, std::size_t length) {
    return drbg().fill(output, length);
}

Bytes randomBytes(std::size_t count) {
    Bytes out(count);
    if (drbg().fill(out.data(), out.size()) != 0)
        throw std::runtime_error("random generator failed");
    return out;
}

std::string randomDigits(std::size_t count) {
    std::string digits;
    while (digits.size() < count) {
        // Rejection sampling keeps every digit uniform: 250 = 25 × 10.
        for (std::uint8_t byte : randomBytes(count)) {
            if (byte >= 250 || digits.size() == count) continue;
            digits += static_cast<char>('0' + byte % 10);
        }
    }
    return digits;
}

Bytes sha256(ByteView data) {
    Bytes out(32);
    mbedtls_sha256_ret(data.data(), data.size(), out.data(), 0);
    return out;
}

Bytes aesCmac(ByteView key, ByteView message) {
    const mbedtls_cipher_info_t* info = mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
    if (key.size() != 16) throw std::invalid_argument("AES-CMAC key must be 16 bytes");
    Bytes mac(16);
    if (mbedtls_cipher_cmac(info, key.data(), 128, message.data(), message.size(), mac.data()) != 0)
        throw std::runtime_error("AES-CMAC failed");
    return mac;
}

Bytes cardKey(ByteView masterKey, std::string_view serial) {
    Bytes input{0x01};
    append(input, "PINUNBLOCK");
    input.push_back(0x00);
    append(input, serial);
    input.insert(input.end(), {0x00, 0x80});
    return aesCmac(masterKey, input);
}

Bytes unblockCryptogram(ByteView masterKey, std::string_view serial, ByteView challenge) {
    Bytes key = cardKey(masterKey, serial);
    Bytes input(challenge.begin(), challenge.end());
    append(input, serial);
    input.insert(input.end(), {0x2C, 0x81});
    Bytes cryptogram = aesCmac(key, input);
    wipe(key);
    return cryptogram;
}

Bytes pbkdf2(std::string_view password, ByteView salt, unsigned iterations) {
    mbedtls_md_context_t context;
    mbedtls_md_init(&context);
    std::unique_ptr<mbedtls_md_context_t, decltype(&mbedtls_md_free)> guard(&context,
                                                                            mbedtls_md_free);
    Bytes out(32);
    if (mbedtls_md_setup(&context, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) != 0 ||
        mbedtls_pkcs5_pbkdf2_hmac(&context, reinterpret_cast<const unsigned char*>(password.data()),
                                  password.size(), salt.data(), salt.size(), iterations,
                                  static_cast<std::uint32_t>(out.size()), out.data()) != 0)
        throw std::runtime_error("PBKDF2 failed");
    return out;
}

bool constantTimeEqual(ByteView a, ByteView b) {
    return a.size() == b.size() && mbedtls_ct_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
    return constantTimeEqual(ByteView(reinterpret_cast<const std::uint8_t*>(a.data()), a.size()),
                             ByteView(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()));
}

} // namespace kamusm::server
