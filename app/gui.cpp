// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui.h"

#include "app/bridge/session_bridge.h"
#include "app/ui/main_window.h"
#include "app/ui/single_instance.h"
#include "core/common/version.h"

#include <QApplication>
#include <QSettings>

namespace meshcraft::app {

namespace {
constexpr auto DefaultLab = "egress-gateway";
}

int runGui(int argc, char **argv)
{
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Meshcraft"));
    QApplication::setApplicationName(QStringLiteral("meshcraft"));
    QApplication::setApplicationDisplayName(QStringLiteral("Meshcraft"));
    QApplication::setApplicationVersion(QString::fromUtf8(core::common::Version));
    QApplication::setDesktopFileName(QStringLiteral("meshcraft"));

    SingleInstance instance;
    if (instance.activateRunning()) {
        return 0;
    }
    instance.listen();

    SessionBridge bridge;
    MainWindow window(bridge);
    QObject::connect(&instance, &SingleInstance::activateRequested, &window,
                     &MainWindow::activateFromOtherInstance);

    const QString lab =
        QSettings().value(QStringLiteral("lab/last"), QString::fromUtf8(DefaultLab)).toString();
    window.openLab(lab);
    window.show();
    return QApplication::exec();
}

} // namespace meshcraft::app
