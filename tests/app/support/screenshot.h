// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Saves a widget's picture as a test artifact: <build>/test-artifacts/<name>.png.
// MESHCRAFT_TEST_ARTIFACTS_DIR comes from tests/app/ui/CMakeLists.txt.

#include <QCoreApplication>
#include <QDir>
#include <QPixmap>
#include <QString>
#include <QWidget>

namespace meshcraft::test {

/// Grabs `widget` (after pending paints) and writes `<name>.png`; returns the file's path, or
/// an empty string when it could not be written.
inline QString saveScreenshot(QWidget *widget, const QString &name)
{
#ifdef MESHCRAFT_TEST_ARTIFACTS_DIR
    const QString dir = QStringLiteral(MESHCRAFT_TEST_ARTIFACTS_DIR);
#else
    const QString dir = QDir::current().absoluteFilePath(QStringLiteral("test-artifacts"));
#endif
    if (!QDir().mkpath(dir)) {
        return {};
    }
    QCoreApplication::processEvents();
    const QPixmap picture = widget->grab();
    const QString path = QDir(dir).absoluteFilePath(name + QStringLiteral(".png"));
    return picture.save(path, "PNG") ? path : QString();
}

} // namespace meshcraft::test
