#include "pcsc_readers.hpp"

#include "kamusm/base/task.hpp"

namespace kamusm::cli {

std::vector<ReaderRow> readerRows(pcsc::Context& context) {
    std::vector<pcsc::ReaderStateIn> asking;
    for (const std::string& name : runSync(context.listReaders()))
        asking.push_back({name, pcsc::ReaderStateFlags{.unaware = true}, std::nullopt});
    if (asking.empty()) return {};
    std::vector<ReaderRow> rows;
    for (const pcsc::ReaderStateOut& state :
         runSync(context.getStatusChange(std::move(asking), pcsc::Milliseconds(0))))
        if (!state.eventState.unknown)
            rows.push_back({state.readerName,
                            state.eventState.present ? state.answerToReset : Bytes{},
                            state.eventState.inuse, state.eventCount});
    return rows;
}

} // namespace kamusm::cli
