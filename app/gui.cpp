// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui.h"

#include "app/bridge/session_bridge.h"
#include "app/ui/main_window.h"
#include "app/ui/single_instance.h"
#include "core/common/data_paths.h"
#include "core/common/version.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QIcon>
#include <QSettings>
#include <QTimer>
#include <cstdio>

namespace meshcraft::app {

namespace {

constexpr auto DefaultLab = "egress-gateway";

/// Reports the time to the window's first paint once (MESHCRAFT_REPORT_STARTUP, for the
/// startup benchmark and the smoke test).
class FirstFrameReporter : public QObject
{
public:
    explicit FirstFrameReporter(const QElapsedTimer &clock, QObject *parent)
        : QObject(parent), m_clock(clock)
    {
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_reported) {
            m_reported = true;
            std::fprintf(stderr, "meshcraft: first frame after %lld ms\n",
                         static_cast<long long>(m_clock.elapsed()));
            watched->removeEventFilter(this);
        }
        return false;
    }

private:
    const QElapsedTimer &m_clock;
    bool m_reported = false;
};

} // namespace

int runGui(int argc, char **argv)
{
    QElapsedTimer clock;
    clock.start();
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Meshcraft"));
    QApplication::setApplicationName(QStringLiteral("meshcraft"));
    QApplication::setApplicationDisplayName(QStringLiteral("Meshcraft"));
    QApplication::setApplicationVersion(QString::fromUtf8(core::common::Version));
    // The .desktop file's id, so Wayland matches the window to its menu entry and icon.
    QApplication::setDesktopFileName(QStringLiteral("io.github.meshcraft.Meshcraft"));
    // The installed icon theme has it; an unpacked tree finds it beside its data folder.
    const QString bundledIcon = QString::fromStdString(
        core::common::dataPath("../icons/hicolor/256x256/apps/meshcraft.png").string());
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("meshcraft"), QIcon(bundledIcon)));

    SingleInstance instance;
    if (instance.activateRunning()) {
        return 0; // the running window comes to the front instead
    }
    instance.listen();

    SessionBridge bridge;
    MainWindow window(bridge);
    QObject::connect(&instance, &SingleInstance::activateRequested, &window,
                     &MainWindow::activateFromOtherInstance);

    if (qEnvironmentVariableIsSet("MESHCRAFT_REPORT_STARTUP")) {
        window.installEventFilter(new FirstFrameReporter(clock, &window));
    }
    bool quitAfterOk = false;
    const int quitAfter = qEnvironmentVariableIntValue("MESHCRAFT_QUIT_AFTER_MS", &quitAfterOk);
    if (quitAfterOk && quitAfter > 0) {
        // Test hook: close as a user would, so the shutdown path runs.
        QTimer::singleShot(quitAfter, &window, &QWidget::close);
    }

    const QString lab =
        QSettings().value(QStringLiteral("lab/last"), QString::fromUtf8(DefaultLab)).toString();
    window.openLab(lab);
    window.show();
    return QApplication::exec();
}

} // namespace meshcraft::app
