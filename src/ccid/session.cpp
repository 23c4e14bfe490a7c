// Card sessions: one per exchange level (CCID §6.1.4 XfrBlock, §3.2 exchange levels). TPDU with
// T=1 runs the block protocol on the host, TPDU with T=0 sends T=0 TPDUs, short-APDU readers
// take the APDU whole, extended-APDU readers take it in chunks (wLevelParameter / bChainParameter,
// as libccid's CmdXfrBlockAPDU_extended).
#include "session.hpp"

#include "kamusm/ccid/t0.hpp"
#include "kamusm/ccid/t1.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace kamusm::ccid::detail {

namespace {

// wLevelParameter of XfrBlock and bChainParameter of DataBlock at extended APDU level.
namespace Chain {
inline constexpr std::uint16_t Whole = 0x0000;
inline constexpr std::uint16_t Begins = 0x0001;       // begins, more follows
inline constexpr std::uint16_t Ends = 0x0002;         // continues and ends
inline constexpr std::uint16_t Continues = 0x0003;    // continues, more follows
inline constexpr std::uint16_t MoreResponse = 0x0010; // empty: send the next response part
inline constexpr std::uint8_t MoreCommand = 0x10;     // DataBlock: send the next command part
} // namespace Chain

constexpr int maxPowerOffAttempts = 3;

// The response APDU and its status bytes: SW1 SW2 at least.
constexpr std::size_t maxResponseLength = 65536 + 2;

iso7816::ResponseApdu toResponse(const Bytes& bytes) {
    if (bytes.size() < 2)
        throw Error(ErrorCode::ProtocolError, "the card's response has " +
                                                  std::to_string(bytes.size()) +
                                                  " bytes, not even SW1 SW2");
    return iso7816::ResponseApdu::decode(bytes);
}

class SessionBase : public CardSession {
public:
    SessionBase(Reader& reader, SessionSetup setup) : reader_(reader), setup_(std::move(setup)) {}

    const iso7816::Atr& atr() const override { return setup_.atr; }
    int protocol() const override { return setup_.protocol; }
    std::uint8_t fidi() const override { return setup_.fidi; }
    int ifsd() const override { return setup_.protocol == 1 ? setup_.ifsd : 0; }

    // A card pulled out meanwhile is as powered off as it gets. A power-off lost on the way (a
    // garbled reply; a stalled endpoint, cleared then, and a stall halts both) is sent again: a
    // card left powered keeps its verified PIN for whoever comes next.
    Task<void> powerOff() override {
        for (int attempt = 1;; ++attempt) {
            std::optional<Error> failure;
            try {
                co_await reader_.exchange(iccPowerOff(setup_.slot), readerTimeout);
                co_return;
            } catch (const Error& error) {
                if (error.code() == ErrorCode::CardAbsent) co_return;
                failure = error;
            }
            if (attempt == maxPowerOffAttempts) throw *failure;
        }
    }

    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu& command) override {
        Bytes encoded = command.encode();
        const WipeOnExit wipeEncoded(encoded); // may carry a PIN
        trace(TraceKind::ApduCommand, encoded);
        iso7816::ResponseApdu response = co_await carry(command, encoded);
        trace(TraceKind::ApduResponse, response.encode());
        co_return response;
    }

protected:
    virtual Task<iso7816::ResponseApdu> carry(const iso7816::CommandApdu& command,
                                              const Bytes& encoded) = 0;

    // One XfrBlock: its DataBlock's abData and bChainParameter.
    Task<Message> xfr(ByteView data, std::uint8_t bBWI, std::uint16_t wLevelParameter,
                      usb::Milliseconds timeout) {
        co_return co_await reader_.exchange(xfrBlock(setup_.slot, data, bBWI, wLevelParameter),
                                            timeout);
    }

    void trace(TraceKind kind, ByteView bytes) const {
        if (reader_.trace()) reader_.trace()->record(kind, bytes);
    }

    std::size_t maxPayload() const {
        return reader_.descriptor().dwMaxCCIDMessageLength - headerSize;
    }

    Reader& reader_;
    SessionSetup setup_;
};

// Carries T=1 blocks in XfrBlock; a WTX multiplier goes to the reader as bBWI and stretches our
// own wait by the same factor.
class XfrBlockTransport : public BlockTransport {
public:
    XfrBlockTransport(Reader& reader, const SessionSetup& setup) : reader_(reader), setup_(setup) {}

    Task<Bytes> exchangeBlock(ByteView block, std::uint8_t bwiMultiplier) override {
        if (reader_.trace()) reader_.trace()->record(TraceKind::T1Out, block);
        const std::uint8_t bBWI = bwiMultiplier > 1 ? bwiMultiplier : 0;
        const Message reply = co_await reader_.exchange(
            xfrBlock(setup_.slot, block, bBWI), setup_.timeout * std::max<int>(1, bwiMultiplier));
        if (reader_.trace()) reader_.trace()->record(TraceKind::T1In, reply.abData);
        co_return reply.abData;
    }

private:
    Reader& reader_;
    const SessionSetup& setup_;
};

class T1Session : public SessionBase {
public:
    T1Session(Reader& reader, SessionSetup setup)
        : SessionBase(reader, std::move(setup)), transport_(reader_, setup_),
          protocol_(transport_, parameters(setup_)) {}

    bool extendedApdus() const override { return true; }

    Task<void> negotiateIfsd() { co_await protocol_.negotiateIfsd(setup_.ifsd); }

protected:
    Task<iso7816::ResponseApdu> carry(const iso7816::CommandApdu&, const Bytes& encoded) override {
        co_return toResponse(co_await protocol_.transceive(encoded));
    }

private:
    static t1::Parameters parameters(const SessionSetup& setup) {
        t1::Parameters parameters;
        parameters.nad = 0x00;
        parameters.ifsc = std::min(setup.atr.ifsc(), 254);
        parameters.ifsd = setup.ifsd;
        parameters.edc = setup.atr.crc() ? t1::Edc::Crc : t1::Edc::Lrc;
        return parameters;
    }

    XfrBlockTransport transport_;
    t1::Protocol protocol_;
};

// T=0 at TPDU level: the reader runs the procedure bytes; case 4 comes back as 61xx, which
// iso7816::transmit follows with GET RESPONSE.
class T0Session : public SessionBase {
public:
    using SessionBase::SessionBase;
    bool extendedApdus() const override { return false; }

protected:
    Task<iso7816::ResponseApdu> carry(const iso7816::CommandApdu& command, const Bytes&) override {
        Bytes tpdu = t0::tpduFor(command);
        const WipeOnExit wipeTpdu(tpdu);
        co_return toResponse((co_await xfr(tpdu, 0, 0, setup_.timeout)).abData);
    }
};

class ShortApduSession : public SessionBase {
public:
    using SessionBase::SessionBase;
    bool extendedApdus() const override { return false; }

protected:
    Task<iso7816::ResponseApdu> carry(const iso7816::CommandApdu& command,
                                      const Bytes& encoded) override {
        if (command.extended())
            throw Error(ErrorCode::Unsupported,
                        "a short-APDU reader cannot carry an extended APDU");
        if (encoded.size() > maxPayload())
            throw Error(ErrorCode::Unsupported,
                        "the APDU of " + std::to_string(encoded.size()) +
                            " bytes exceeds the reader's dwMaxCCIDMessageLength");
        co_return toResponse((co_await xfr(encoded, 0, 0, setup_.timeout)).abData);
    }
};

class ExtendedApduSession : public SessionBase {
public:
    using SessionBase::SessionBase;
    bool extendedApdus() const override { return true; }

protected:
    Task<iso7816::ResponseApdu> carry(const iso7816::CommandApdu&, const Bytes& encoded) override {
        Message reply = co_await sendCommand(encoded);
        Bytes response = reply.abData;
        // 01 begins and 03 continues a response that goes on; ask for each next part.
        while (reply.bChainParameter() == Chain::Begins ||
               reply.bChainParameter() == Chain::Continues) {
            reply = co_await xfr({}, 0, Chain::MoreResponse, setup_.timeout);
            response.insert(response.end(), reply.abData.begin(), reply.abData.end());
            if (response.size() > maxResponseLength)
                throw Error(ErrorCode::MalformedMessage,
                            "the reader's chained response runs past 65538 bytes");
        }
        if (reply.bChainParameter() != Chain::Whole && reply.bChainParameter() != Chain::Ends)
            throw Error(ErrorCode::MalformedMessage,
                        "the response ends with bChainParameter " + hex8(reply.bChainParameter()));
        co_return toResponse(response);
    }

private:
    // The command in chunks of dwMaxCCIDMessageLength - 10; the reader acknowledges each but
    // the last with an empty DataBlock (bChainParameter 0x10) and answers the last with (the
    // start of) the response.
    Task<Message> sendCommand(const Bytes& encoded) {
        const std::size_t chunk = maxPayload();
        if (encoded.size() <= chunk)
            co_return co_await xfr(encoded, 0, Chain::Whole, setup_.timeout);
        for (std::size_t offset = 0;; offset += chunk) {
            const std::size_t size = std::min(chunk, encoded.size() - offset);
            const bool last = offset + size == encoded.size();
            const std::uint16_t level =
                offset == 0 ? Chain::Begins : (last ? Chain::Ends : Chain::Continues);
            Message reply =
                co_await xfr(ByteView(encoded).subspan(offset, size), 0, level, setup_.timeout);
            // 0x10 asks for the next chunk; anything else is the response, early when the
            // card refused the command before its end.
            if (last || reply.bChainParameter() != Chain::MoreCommand) co_return reply;
        }
    }
};

} // namespace

Task<std::unique_ptr<CardSession>> makeSession(Reader& reader, SessionSetup setup) {
    switch (reader.descriptor().exchangeLevel()) {
    case ExchangeLevel::Tpdu:
        if (setup.protocol == 1) {
            auto session = std::make_unique<T1Session>(reader, std::move(setup));
            // Without dwFeatures 0x400 nobody else tells the card how much we can take.
            if (!reader.descriptor().autoIfsd()) co_await session->negotiateIfsd();
            co_return std::move(session);
        }
        co_return std::make_unique<T0Session>(reader, std::move(setup));
    case ExchangeLevel::ShortApdu:
        co_return std::make_unique<ShortApduSession>(reader, std::move(setup));
    case ExchangeLevel::ExtendedApdu:
        co_return std::make_unique<ExtendedApduSession>(reader, std::move(setup));
    case ExchangeLevel::Character:
        break;
    }
    throw Error(ErrorCode::Unsupported, "character-level readers are not supported");
}

} // namespace kamusm::ccid::detail
