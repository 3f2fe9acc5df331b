// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The real app on a lab, for UI tests: a SessionBridge on the source tree's labs with a
// temporary state directory, and the MainWindow over it, shown at 1366×768.

#include "app/bridge/session_bridge.h"
#include "app/ui/editor_panel.h"
#include "app/ui/guide_panel.h"
#include "app/ui/main_window.h"
#include "app/ui/terminal_widget.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <memory>

namespace meshcraft::test {

struct AppFixture
{
    QTemporaryDir state;
    std::unique_ptr<app::SessionBridge> bridge;
    std::unique_ptr<app::MainWindow> window;
    /// Keep the saved layout and last step of an earlier window (restart tests); otherwise
    /// every fixture starts from the default layout at step 1, whatever ran before.
    bool keepSettings = false;

    /// Opens `labId` and waits (at most `timeoutMs`) for the lab to open. False on failure.
    /// `stateDir`: where progress and edits are kept (a fresh temporary folder by default).
    bool open(const QString &labId = QStringLiteral("egress-gateway"), int timeoutMs = 20'000,
              const QString &stateDir = {})
    {
        core::lab::SessionOptions options;
        options.labsDir = LABS_SOURCE_DIR;
        options.stateDir = (stateDir.isEmpty() ? state.path() : stateDir).toStdString();
        options.fixedClock = true;
        options.drainDuration = std::chrono::milliseconds(50);
        options.cartInterval = std::chrono::milliseconds(50);
        if (!keepSettings) {
            QSettings settings;
            settings.remove(QStringLiteral("window"));
            settings.remove(QStringLiteral("lab"));
        }
        bridge = std::make_unique<app::SessionBridge>(options);
        window = std::make_unique<app::MainWindow>(*bridge);
        window->guide()->setConfirmResets(false);
        window->resize(1366, 768);
        window->show();
        QSignalSpy opened(bridge.get(), &app::SessionBridge::labOpened);
        QObject::connect(bridge.get(), &app::SessionBridge::openFailed, window.get(),
                         [this](const core::lab::events::OpenFailed &event) {
                             failure = QString::fromStdString(event.message);
                         });
        QObject::connect(bridge.get(), &app::SessionBridge::labLocked, window.get(),
                         [this](const core::lab::events::LabLocked &event) {
                             failure = QStringLiteral("locked: ")
                                       + QString::fromStdString(event.lockPath);
                         });
        window->openLab(labId);
        const bool ok = QTest::qWaitFor([&] { return opened.count() > 0 || !failure.isEmpty(); },
                                        timeoutMs)
                        && opened.count() > 0;
        if (!ok) {
            qWarning("AppFixture: the lab did not open: %s", qPrintable(failure));
        }
        return ok;
    }

    /// Why open() failed (the session's OpenFailed message, or the lock), if it did.
    QString failure;

    app::GuidePanel *guide() const { return window->guide(); }
    app::TerminalWidget *terminal() const { return window->terminal(); }
    app::EditorPanel *editor() const { return window->editor(); }

    /// Waits until the terminal shows a prompt again (the command finished), at most `ms`.
    bool waitForPrompt(const QString &prompt, int ms = 20'000) const
    {
        return QTest::qWaitFor(
            [&] {
                return terminal()->transcript().endsWith(prompt + terminal()->input());
            },
            ms);
    }

    ~AppFixture()
    {
        window.reset(); // the panels go before the bridge they observe
        bridge.reset();
    }
};

} // namespace meshcraft::test
