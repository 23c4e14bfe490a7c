// The app under test: a real wizard over the wizard suite's fake server, virtual reader and
// clock, and a host that records what the app asks of the platform and runs tasks at once.
#pragma once

#include "kamusm/ui/app.hpp"
#include "wizard/wizard_harness.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kamusm::ui::test {

class FakeHost : public Host {
public:
    FakeHost(wizard::Wizard& wizard, reader::Owner& owner, sim::VirtualReader& reader)
        : wizard_(wizard), owner_(owner), reader_(reader) {}

    wizard::EnvironmentReport probeEnvironment() override {
        ++probes;
        return environment;
    }
    bool demoMode() const override { return demo; }
    std::optional<reader::TransportKind> transport() const override { return owner_.transport(); }
    // The platform hands the chosen reader (here the virtual one) to the wizard.
    void chooseReader() override {
        ++readerChoosers;
        wizard::test::plug(owner_, reader_);
        run(wizard_.findCard());
    }
    void tryVirtualCard() override { ++virtualCards; }
    std::optional<std::string> helperDownload() const override { return helperSystem; }
    bool offersHelp() const override { return helpPage; }
    void openHelp(std::string_view anchor) override { helpOpened.emplace_back(anchor); }
    void downloadHelper() override { ++helperDownloads; }
    void requestPaste() override { ++pasteRequests; }
    void run(Task<void> task) override {
        ++tasksRun;
        runSync(std::move(task));
    }

    wizard::EnvironmentReport environment{true, true, false};
    bool demo = false;
    std::optional<std::string> helperSystem = "Linux";
    bool helpPage = true;
    std::vector<std::string> helpOpened;
    int helperDownloads = 0;
    int probes = 0;
    int readerChoosers = 0;
    int virtualCards = 0;
    int pasteRequests = 0;
    int tasksRun = 0;

private:
    wizard::Wizard& wizard_;
    reader::Owner& owner_;
    sim::VirtualReader& reader_;
};

// The wizard suite's fake server, which can also tell the holder's year of birth.
class Server : public wizard::test::FakeServer {
public:
    Task<backend::HttpResponse> send(backend::HttpRequest request) override {
        const bool opening = request.path == "/api/v1/sessions";
        backend::HttpResponse response = co_await FakeServer::send(std::move(request));
        if (opening && birthYear && response.status == 201) {
            nlohmann::json body = nlohmann::json::parse(response.body);
            body["holder"]["birth_year"] = *birthYear;
            response.body = body.dump();
        }
        co_return response;
    }

    std::optional<int> birthYear;
};

struct Rig {
    explicit Rig(backend::Operation operation, sim::CardSetup setup = sim::demoCardSetup(),
                 wizard::EnvironmentReport environment = {true, true, false},
                 AppOptions options = {})
        : card(std::make_shared<sim::VirtualCard>(std::move(setup))),
          reader(sim::ReaderModel::Acr39u, {card}), wizard(client, clock, owner),
          host(withEnvironment(wizard, owner, reader, environment)),
          app(wizard, clock, host, options) {
        server.operation = operation;
    }

    const wizard::WizardState& state() const { return wizard.state(); }
    void press(Action action, int value = 0) {
        app.press(action, value);
        app.update();
    }
    void toReader() {
        REQUIRE(app.stepId() == "code");
        app.setField(FieldId::Code, server.code);
        press(Action::SubmitCode);
        REQUIRE(app.stepId() == "reader");
    }
    void toNewPin() {
        toReader();
        press(Action::ChooseReader);
        REQUIRE(app.stepId() == "card");
        press(Action::ConfirmCard);
        REQUIRE(app.stepId() == "new_pin");
    }

    wizard::test::FakeClock clock;
    Server server;
    backend::BackendClient client{server};
    std::shared_ptr<sim::VirtualCard> card;
    sim::VirtualReader reader;
    reader::Owner owner;
    wizard::Wizard wizard;
    FakeHost host;
    App app;

private:
    static FakeHost withEnvironment(wizard::Wizard& wizard, reader::Owner& owner,
                                    sim::VirtualReader& reader,
                                    wizard::EnvironmentReport environment) {
        FakeHost host(wizard, owner, reader);
        host.environment = environment;
        return host;
    }
};

inline bool hasButton(const Screen& screen, Action action) {
    for (const Button& button : screen.buttons)
        if (button.action == action) return true;
    return false;
}

inline const Button& buttonOf(const Screen& screen, Action action) {
    for (const Button& button : screen.buttons)
        if (button.action == action) return button;
    FAIL("no button ", actionId(action));
    throw; // unreachable: FAIL throws
}

inline const Field& fieldOf(const Screen& screen, FieldId id) {
    for (const Field& field : screen.fields)
        if (field.id == id) return field;
    FAIL("no field ", fieldId(id));
    throw;
}

inline std::vector<FieldId> fieldIds(const Screen& screen) {
    std::vector<FieldId> ids;
    for (const Field& field : screen.fields)
        ids.push_back(field.id);
    return ids;
}

// Every text of a screen, for searches such as "no PIN anywhere".
inline std::vector<std::string> allStrings(const Screen& screen) {
    std::vector<std::string> texts{std::string(screen.stepId),
                                   std::string(screen.language),
                                   screen.title,
                                   screen.status,
                                   screen.timer,
                                   screen.alert,
                                   screen.warning};
    texts.insert(texts.end(), screen.paragraphs.begin(), screen.paragraphs.end());
    texts.insert(texts.end(), screen.notes.begin(), screen.notes.end());
    for (const Fact& fact : screen.facts) {
        texts.push_back(fact.label);
        texts.push_back(fact.value);
    }
    for (const Field& field : screen.fields) {
        texts.push_back(field.label);
        texts.push_back(field.hint);
        texts.push_back(field.value);
    }
    for (const std::vector<Button>* buttons : {&screen.buttons, &screen.keypad})
        for (const Button& button : *buttons)
            texts.push_back(button.label);
    return texts;
}

inline bool screenContains(const Screen& screen, std::string_view needle) {
    for (const std::string& text : allStrings(screen))
        if (text.find(needle) != std::string::npos) return true;
    return false;
}

} // namespace kamusm::ui::test
