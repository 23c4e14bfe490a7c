// The T=0 procedure-byte engine (ccid::t0::ProcedureEngine) against a card line that answers
// with fuzzed characters: ACK, its complement, NULLs, SW1 SW2 and anything else. A TPDU of each
// case must end with SW1 SW2 after at most its data, or with a ccid::Error; the engine never
// sends more than the TPDU holds nor takes more than P3 asks for.
//
// Input: the TPDU's INS, a byte picking its case, its P3 (the data length of case 3), then the
// card's characters.
#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/t0.hpp"

#include <cstdlib>

using namespace kamusm;

namespace {

class FuzzedCard : public ccid::t0::CharacterLine {
public:
    explicit FuzzedCard(ByteView characters) : characters_(characters) {}

    std::uint8_t receiveByte() override {
        if (characters_.empty()) throw ccid::Error(ccid::ErrorCode::Timeout, "the card is silent");
        const std::uint8_t value = characters_[0];
        characters_ = characters_.subspan(1);
        return value;
    }
    void sendBytes(ByteView bytes) override { sent += bytes.size(); }

    std::size_t sent = 0;

private:
    ByteView characters_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::uint8_t ins = data[0], p3 = data[2];
    // Case 1 (no data, P3 00), case 2 (P3 bytes come back), case 3 (P3 bytes go out).
    const int tpduCase = data[1] % 3 + 1;
    Bytes tpdu{0x00, ins, 0x00, 0x00, tpduCase == 1 ? std::uint8_t{0} : p3};
    if (tpduCase == 3) tpdu.resize(5u + p3, 0x55);
    FuzzedCard card(ByteView(data + 3, size - 3));
    Bytes answer;
    try {
        answer = ccid::t0::ProcedureEngine(card).transmit(tpdu);
    } catch (const ccid::Error&) {
        return 0;
    }
    // A header alone may bring up to P3 bytes back, 256 for P3 00: T=0 cannot tell case 1 from
    // case 2 with Le 256, and follows the card.
    const std::uint8_t asked = tpdu[4];
    const std::size_t expected = tpdu.size() > 5 ? 0 : (asked == 0 ? 256 : asked);
    if (answer.size() < 2 || answer.size() > expected + 2) std::abort();
    if (card.sent > tpdu.size()) std::abort();
    return 0;
}
