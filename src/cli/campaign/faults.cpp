#include "faults.hpp"

namespace kamusm::cli::campaign {

namespace {

using F = Fault;
using C = Channel;

constexpr std::array<FaultInfo, faultCount> table{{
    {F::CardRemoved, "card-removed", C::Reader, true, true},
    {F::ReaderUnplugged, "reader-unplugged", C::Reader, true, true},
    {F::MuteCard, "mute-card", C::Reader, true, false},
    {F::ParityError, "parity-error", C::Reader, true, false},
    {F::GarbageFrame, "garbage-frame", C::Reader, true, false},
    {F::TruncatedFrame, "truncated-frame", C::Reader, true, false},
    {F::StaleFrame, "stale-bseq", C::Reader, true, false},
    {F::DuplicateFrame, "duplicated-bseq", C::Reader, true, false},
    {F::EndlessTimeExtension, "endless-time-extension", C::Reader, true, false},
    {F::UsbStall, "usb-stall", C::Reader, true, false},
    {F::PcscRemovedCard, "pcsc-removed-card", C::Reader, false, true},
    {F::PcscResetCard, "pcsc-reset-card", C::Reader, false, true},
    {F::PcscReaderUnavailable, "pcsc-reader-unavailable", C::Reader, false, true},
    {F::PcscSharingViolation, "pcsc-sharing-violation", C::Reader, false, true},
    {F::ServerError, "server-5xx", C::Backend, true, true},
    {F::NetworkDrop, "network-drop", C::Backend, true, true},
    {F::ServerRestart, "server-restart", C::Backend, true, true},
    {F::SlowServer, "slow-server", C::Backend, true, true},
    {F::UserIdle, "user-idle", C::Holder, true, true},
    {F::UserCancel, "user-cancel", C::Holder, true, true},
    {F::WrongPin, "wrong-pin", C::Holder, true, true},
}};

constexpr bool inEnumOrder() {
    for (std::size_t i = 0; i < table.size(); ++i)
        if (static_cast<std::size_t>(table[i].fault) != i) return false;
    return true;
}
static_assert(inEnumOrder(), "a row for every Fault, in its order");

} // namespace

const std::array<FaultInfo, faultCount>& faultTable() {
    return table;
}

const FaultInfo& infoOf(Fault fault) {
    return table[static_cast<std::size_t>(fault)];
}

bool appliesTo(Fault fault, Transport transport) {
    return transport == Transport::Ccid ? infoOf(fault).ccid : infoOf(fault).pcsc;
}

} // namespace kamusm::cli::campaign
