// The bulk message exchange of a CCID reader (CCID Rev 1.1 §5.2, §6): bSeq, stale frames, time
// extension, bError, and the interrupt endpoint. Order of operations and timeouts follow libccid
// (ccid_usb.c, commands.c); see power.cpp for power-on and parameter negotiation.
#include "kamusm/ccid/reader.hpp"

#include "session.hpp"

#include "kamusm/usb/descriptor.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace kamusm::ccid {

namespace {

using detail::hex8;
using detail::throwIfFailed;

// A reply whose bSeq or bSlot is not ours is a leftover of an earlier, timed-out command (or an
// empty packet some firmware sends): dropped, but only so many, so that a confused reader cannot
// keep us reading forever.
constexpr int maxDroppedFrames = 8;
// Readers at APDU level send a time extension about every second while the card works; this
// bounds a reader that would never stop asking (a few minutes at most).
constexpr int maxTimeExtensions = 256;
// The largest reply we accept: a header and an extended response APDU (65536 bytes + SW1 SW2).
// Reading with a buffer this large also copes with readers whose dwMaxCCIDMessageLength is
// smaller than what they actually send.
constexpr std::size_t maxReplyLength = headerSize + 65536 + 2;
constexpr std::size_t interruptReadLength = 64;

struct ReplyRow {
    std::uint8_t command;
    std::uint8_t reply;
};
// The RDR_to_PC message that answers each PC_to_RDR message (CCID §6.1, §6.2).
constexpr std::array<ReplyRow, 14> replyTable{{
    {PC_to_RDR::IccPowerOn, RDR_to_PC::DataBlock},
    {PC_to_RDR::XfrBlock, RDR_to_PC::DataBlock},
    {PC_to_RDR::Secure, RDR_to_PC::DataBlock},
    {PC_to_RDR::IccPowerOff, RDR_to_PC::SlotStatus},
    {PC_to_RDR::GetSlotStatus, RDR_to_PC::SlotStatus},
    {PC_to_RDR::IccClock, RDR_to_PC::SlotStatus},
    {PC_to_RDR::T0APDU, RDR_to_PC::SlotStatus},
    {PC_to_RDR::Mechanical, RDR_to_PC::SlotStatus},
    {PC_to_RDR::Abort, RDR_to_PC::SlotStatus},
    {PC_to_RDR::GetParameters, RDR_to_PC::Parameters},
    {PC_to_RDR::ResetParameters, RDR_to_PC::Parameters},
    {PC_to_RDR::SetParameters, RDR_to_PC::Parameters},
    {PC_to_RDR::Escape, RDR_to_PC::Escape},
    {PC_to_RDR::SetDataRateAndClockFrequency, RDR_to_PC::DataRateAndClockFrequency},
}};

std::optional<std::uint8_t> expectedReply(std::uint8_t bMessageType) {
    for (const ReplyRow& row : replyTable)
        if (row.command == bMessageType) return row.reply;
    return std::nullopt;
}

[[noreturn]] void malformed(const std::string& detail) {
    throw Error(ErrorCode::MalformedMessage, detail);
}

std::size_t roundUp(std::size_t value, std::size_t multiple) {
    return multiple == 0 ? value : (value + multiple - 1) / multiple * multiple;
}

// A transfer that timed out or stalled. A stalled endpoint is cleared so that the next command
// can go through; the command itself is lost, which the caller learns as a HardwareError.
Task<void> throwTransferFailure(usb::Device& device, usb::ErrorCode code, bool in,
                                std::uint8_t endpoint, usb::Milliseconds timeout) {
    if (code == usb::ErrorCode::Stall) {
        co_await device.clearHalt(in, endpoint);
        throw Error(ErrorCode::HardwareError, std::string("the reader stalled its ") +
                                                  (in ? "IN" : "OUT") + " endpoint " +
                                                  std::to_string(endpoint) + " (halt cleared)");
    }
    throw Error(ErrorCode::Timeout, std::string("no ") + (in ? "reply from" : "room in") +
                                        " the reader within " + std::to_string(timeout.count()) +
                                        " ms");
}

bool handledTransferError(const usb::Error& error) {
    return error.code() == usb::ErrorCode::Timeout || error.code() == usb::ErrorCode::Stall;
}

} // namespace

namespace detail {

std::string hex8(std::uint8_t value) {
    char text[5];
    std::snprintf(text, sizeof text, "0x%02X", value);
    return text;
}

// bmCommandStatus 1: the reader's bError as a typed error; no card at all is CardAbsent
// whatever bError says (readers report ICC_MUTE for an empty slot).
void throwIfFailed(const Message& reply) {
    if (reply.commandStatus() != CommandStatus::Failed) return;
    const std::uint8_t bError = reply.bError();
    if (reply.iccStatus() == IccStatus::Absent)
        throw Error(ErrorCode::CardAbsent, "no card in slot " + std::to_string(reply.bSlot),
                    bError);
    throw Error(errorCodeForBError(bError),
                std::string(describeBError(bError)) + " (bError " + hex8(bError) + ", message " +
                    hex8(reply.bMessageType) + ", slot " + std::to_string(reply.bSlot) + ")",
                bError);
}

} // namespace detail

Reader::Reader(usb::Device& device, InterfaceInfo interface, Quirks quirks, Trace* trace)
    : device_(device), interface_(std::move(interface)), quirks_(quirks), trace_(trace) {}

Reader::~Reader() = default;

// The device is opened first: WebUSB and libusb both refuse control transfers on a closed
// device, and GET_DESCRIPTOR is how the class descriptor is read (WebUSB hides it). Whatever
// fails after that closes the device again.
Task<std::unique_ptr<Reader>> Reader::open(usb::Device& device, Trace* trace) {
    co_await device.open();
    std::unique_ptr<Reader> reader;
    std::exception_ptr failure;
    try {
        const Bytes raw = co_await usb::readConfigurationDescriptor(device);
        const usb::ConfigurationDescriptor configuration = usb::parseConfigurationDescriptor(raw);
        InterfaceInfo interface = findInterface(configuration);
        co_await device.selectConfiguration(configuration.bConfigurationValue);
        co_await device.claimInterface(interface.bInterfaceNumber);
        reader =
            std::make_unique<Reader>(device, std::move(interface), quirksFor(device.info()), trace);
    } catch (const kamusm::Error&) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await device.close();
        std::rethrow_exception(failure);
    }
    co_return reader;
}

Task<void> Reader::close() {
    co_await device_.releaseInterface(interface_.bInterfaceNumber);
    co_await device_.close();
}

Task<Message> Reader::exchange(Message command, usb::Milliseconds timeout) {
    Message reply = co_await transact(std::move(command), timeout);
    throwIfFailed(reply);
    co_return reply;
}

Task<Message> Reader::transact(Message command, usb::Milliseconds timeout) {
    if (!expectedReply(command.bMessageType))
        throw Error(ErrorCode::Unsupported,
                    "no PC_to_RDR message has type " + hex8(command.bMessageType));
    // Replies are matched by bSeq alone, so two interleaved exchanges would take each other's.
    if (busy_) throw Error(ErrorCode::Busy, "another CCID exchange with the reader is under way");
    busy_ = true;
    const struct Release {
        bool& busy;
        ~Release() { busy = false; }
    } release{busy_};
    command.bSeq = nextSeq_++;                 // wraps at 255 like the spec's one-byte counter
    const WipeOnExit wipeData(command.abData); // commands may carry a PIN
    Bytes bytes = command.encode();
    const WipeOnExit wipeBytes(bytes);
    co_await send(bytes, timeout);
    co_return co_await receive(command, timeout);
}

Task<void> Reader::send(ByteView bytes, usb::Milliseconds timeout) {
    ++statistics_.messagesOut;
    statistics_.bytesOut += bytes.size();
    if (trace_) trace_->record(TraceKind::CcidOut, bytes);
    std::optional<usb::ErrorCode> failure;
    try {
        co_await device_.transferOut(interface_.bulkOut, bytes, timeout);
        // Some firmware only sees the end of a message that fills whole packets after a ZLP;
        // the bulk-OUT packet size is taken to equal bulk-IN's (InterfaceInfo keeps only that).
        if (quirks_.zeroLengthPacketAfterFullPacket &&
            bytes.size() % interface_.bulkInMaxPacketSize == 0)
            co_await device_.transferOut(interface_.bulkOut, {}, timeout);
    } catch (const usb::Error& error) {
        if (!handledTransferError(error)) throw;
        failure = error.code();
    }
    if (failure)
        co_await throwTransferFailure(device_, *failure, false, interface_.bulkOut, timeout);
}

Task<Bytes> Reader::readMessage(usb::Milliseconds timeout) {
    const std::size_t length = roundUp(maxReplyLength, interface_.bulkInMaxPacketSize);
    Bytes message;
    std::optional<usb::ErrorCode> failure;
    try {
        message = co_await device_.transferIn(interface_.bulkIn, length, timeout);
        // A platform may hand a long message over in several transfers, each ending on a packet
        // boundary. A transfer that ended in a short packet ended the reader's message: one
        // shorter than its dwLength is malformed, not the start of whatever comes next (the
        // next message would be taken for its end).
        while (message.size() >= headerSize && message.size() < maxReplyLength &&
               message.size() < headerSize + readLittle32(message, 1) &&
               interface_.bulkInMaxPacketSize != 0 &&
               message.size() % interface_.bulkInMaxPacketSize == 0) {
            const Bytes more = co_await device_.transferIn(interface_.bulkIn, length, timeout);
            if (more.empty()) break;
            message.insert(message.end(), more.begin(), more.end());
        }
    } catch (const usb::Error& error) {
        if (!handledTransferError(error)) throw;
        failure = error.code();
    }
    if (failure && message.size() >= headerSize)
        malformed("a reply of " + std::to_string(message.size()) +
                  " bytes stopped before its dwLength of " +
                  std::to_string(readLittle32(message, 1)));
    if (failure) co_await throwTransferFailure(device_, *failure, true, interface_.bulkIn, timeout);
    co_return message;
}

Task<Message> Reader::receive(const Message& command, usb::Milliseconds timeout) {
    const std::uint8_t expected = *expectedReply(command.bMessageType);
    int dropped = 0;
    int extensions = 0;
    usb::Milliseconds wait = timeout;
    for (;;) {
        const Bytes bytes = co_await readMessage(wait);
        ++statistics_.messagesIn;
        statistics_.bytesIn += bytes.size();
        if (trace_) trace_->record(TraceKind::CcidIn, bytes);
        const bool empty = bytes.empty();
        std::optional<Message> reply;
        if (!empty) reply = Message::decode(bytes); // throws MalformedMessage
        if (empty || reply->bSeq != command.bSeq || reply->bSlot != command.bSlot) {
            if (++dropped > maxDroppedFrames)
                malformed("more than " + std::to_string(maxDroppedFrames) +
                          " replies without bSeq " + std::to_string(command.bSeq) + " for slot " +
                          std::to_string(command.bSlot));
            continue;
        }
        if ((reply->bStatus() >> 6) == 3) malformed("bmCommandStatus 3 is reserved");
        if (reply->commandStatus() == CommandStatus::TimeExtension) {
            if (++extensions > maxTimeExtensions)
                throw Error(ErrorCode::Timeout, "the reader kept asking for more time (" +
                                                    std::to_string(maxTimeExtensions) +
                                                    " time extensions)");
            // bError is the multiplier of the timeout for the next wait (CCID §6.2.7).
            wait = timeout * std::max<int>(1, reply->bError());
            continue;
        }
        // A failed reply is judged by its bError even when a reader picked the wrong type.
        if (reply->commandStatus() == CommandStatus::Processed && reply->bMessageType != expected)
            malformed("message " + hex8(command.bMessageType) + " was answered by " +
                      hex8(reply->bMessageType) + ", not " + hex8(expected));
        co_return std::move(*reply);
    }
}

Task<IccStatus> Reader::slotStatus(std::uint8_t slot) {
    const Message reply = co_await transact(
        getSlotStatus(slot), detail::readerTimeout + usb::Milliseconds(quirks_.extraTimeoutMs));
    // ICC_MUTE in a slot status only says that no card is powered (libccid CmdGetSlotStatus).
    if (reply.bError() != 0xFE) throwIfFailed(reply);
    co_return reply.iccStatus();
}

Task<std::vector<SlotEvent>> Reader::pollSlotChanges(usb::Milliseconds timeout) {
    if (!interface_.interruptIn) co_return co_await pollSlotStatus();
    const std::uint8_t endpoint = *interface_.interruptIn;
    Bytes bytes;
    std::optional<usb::ErrorCode> failure;
    try {
        bytes = co_await device_.transferIn(endpoint, interruptReadLength, timeout);
    } catch (const usb::Error& error) {
        if (!handledTransferError(error)) throw;
        failure = error.code();
    }
    if (failure == usb::ErrorCode::Timeout || (!failure && bytes.empty()))
        co_return std::vector<SlotEvent>{};
    if (failure) co_await throwTransferFailure(device_, *failure, true, endpoint, timeout);
    if (trace_) trace_->record(TraceKind::InterruptIn, bytes);

    const InterruptMessage message = InterruptMessage::decode(bytes); // 0x50 or 0x51
    if (message.bMessageType == RDR_to_PC::HardwareError)
        throw Error(ErrorCode::HardwareError, "the reader reports hardware error " +
                                                  hex8(message.bHardwareErrorCode) + " on slot " +
                                                  std::to_string(message.bSlot));
    std::vector<SlotEvent> events;
    // bmSlotICCState has two bits per slot; a short one covers only the first slots.
    const std::size_t covered =
        std::min<std::size_t>(slotCount(), message.bmSlotICCState.size() * 4);
    for (std::uint8_t slot = 0; slot < covered; ++slot)
        events.push_back({slot, message.cardPresent(slot), message.changed(slot)});
    co_return events;
}

// Without an interrupt endpoint the slots are asked one by one; events only when one changed.
Task<std::vector<SlotEvent>> Reader::pollSlotStatus() {
    lastPresent_.resize(slotCount(), false);
    std::vector<SlotEvent> events;
    bool anyChanged = false;
    for (std::uint8_t slot = 0; slot < slotCount(); ++slot) {
        const bool present = (co_await slotStatus(slot)) != IccStatus::Absent;
        const bool changed = present != lastPresent_[slot];
        lastPresent_[slot] = present;
        anyChanged = anyChanged || changed;
        events.push_back({slot, present, changed});
    }
    if (!anyChanged) events.clear();
    co_return events;
}

} // namespace kamusm::ccid
