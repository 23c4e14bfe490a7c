// Where the app runs, as the platform finds it before the flow starts: what it can reach cards
// with, and the deployment, system and browser the guidance table (guidance.hpp) tells apart.
#pragma once

namespace kamusm::wizard {

// How the holder reached the app.
enum class Deployment {
    Page,        // the KamuSM online-operations page in an ordinary browser tab
    IsolatedApp, // the Isolated Web App (managed ChromeOS, kiosks)
    Kiosk,       // the kiosk page (shell/) of a public terminal
    Native,      // pinctl
};
inline constexpr int deploymentCount = static_cast<int>(Deployment::Native) + 1;

enum class System { Windows, MacOs, Linux, ChromeOs, Android, Other };
inline constexpr int systemCount = static_cast<int>(System::Other) + 1;

// Chromium-based browsers have WebUSB; Other is Firefox, Safari and the rest (and pinctl).
enum class Browser { Chrome, Edge, Chromium, Other };
inline constexpr int browserCount = static_cast<int>(Browser::Other) + 1;

struct EnvironmentReport {
    bool webUsb = false;        // navigator.usb (or a native USB stack) exists
    bool secureContext = false; // https or localhost: WebUSB and Web Smart Card need it
    bool smartCard = false;     // navigator.smartCard, the desktop helper, or native PC/SC
    Deployment deployment = Deployment::Page;
    System system = System::Other;
    Browser browser = Browser::Other;
};

} // namespace kamusm::wizard
