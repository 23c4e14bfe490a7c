// What the card layer does with bytes read from a card, whatever the card answers: the AKIS
// profile's reads (GET DATA serial, SELECT + READ BINARY of the certificate, PIN status), the
// X.509 parsing of the certificate (card::parseCertificate) and the signature self-test against
// it. Every call ends with its result or a typed error (kamusm::Error), never anything else.
//
// Input: the card's answers, each a status word (2 bytes) and a 2-byte little-endian length with
// that many data bytes; or, when the first byte is 0xFF, the rest is the whole certificate file,
// read back in 256-byte chunks as a card would answer READ BINARY.
#include "kamusm/card/akis.hpp"
#include "kamusm/card/certificate.hpp"
#include "kamusm/card/self_test.hpp"

#include <cstdlib>

using namespace kamusm;

namespace {

class FuzzedCard : public iso7816::Channel {
public:
    FuzzedCard(ByteView input, bool wholeFile) : input_(input), wholeFile_(wholeFile) {}

    bool extendedApdus() const override { return false; }
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        if (wholeFile_) co_return file(command);
        if (input_.size() < 4) co_return iso7816::ResponseApdu{{}, 0x6F, 0x00};
        iso7816::ResponseApdu response{{}, input_[0], input_[1]};
        const std::size_t length =
            std::min<std::size_t>(input_[2] | input_[3] << 8, input_.size() - 4);
        const auto data = input_.begin() + 4;
        response.data.assign(data, data + static_cast<std::ptrdiff_t>(length));
        input_ = input_.subspan(4 + length);
        co_return response;
    }

private:
    // A well-behaved card holding `input_` as its certificate file.
    iso7816::ResponseApdu file(const iso7816::CommandApdu& command) const {
        if (command.ins != 0xB0) return {{}, 0x90, 0x00};
        const std::size_t offset = static_cast<std::size_t>(command.p1 << 8 | command.p2);
        if (offset >= input_.size()) return {{}, 0x6B, 0x00};
        const std::size_t length = std::min<std::size_t>(256, input_.size() - offset);
        const auto begin = input_.begin() + static_cast<std::ptrdiff_t>(offset);
        return {Bytes(begin, begin + static_cast<std::ptrdiff_t>(length)),
                static_cast<std::uint8_t>(length < 256 ? 0x62 : 0x90),
                static_cast<std::uint8_t>(length < 256 ? 0x82 : 0x00)};
    }

    ByteView input_;
    bool wholeFile_;
};

template <typename Work> void typed(Work&& work) {
    try {
        work();
    } catch (const kamusm::Error&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const bool wholeFile = size > 0 && data[0] == 0xFF;
    FuzzedCard channel(wholeFile ? ByteView(data + 1, size - 1) : ByteView(data, size), wholeFile);
    card::AkisCard card(channel);
    if (!wholeFile) {
        typed([&] { (void)runSync(card.readSerial()); });
        typed([&] { (void)runSync(card.pinStatus()); });
    }
    Bytes certificate;
    typed([&] { certificate = runSync(card.readCertificate(card::Certificate::Signing)); });
    if (certificate.empty()) return 0;
    typed([&] { (void)card::parseCertificate(certificate); });
    typed([&] { (void)runSync(card::signatureSelfTest(card, certificate)); });
    return 0;
}
