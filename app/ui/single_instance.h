// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace meshcraft::app {

/// One window per user: the first process listens on a per-user local socket; a later one
/// sends "activate" to it and exits.
class SingleInstance : public QObject
{
    Q_OBJECT

public:
    /// `key` names the socket; the default is per user ("meshcraft-<user>").
    explicit SingleInstance(QString key = {}, QObject *parent = nullptr);
    ~SingleInstance() override;

    /// Asks a running instance to come to the front. True when one answered (then exit 0).
    /// Waits at most `timeoutMs` (before any window exists).
    bool activateRunning(int timeoutMs = 1000) const;
    /// Starts listening for later launches. False if the socket could not be created.
    bool listen();

    static QString defaultKey();

signals:
    void activateRequested();

private:
    QString m_key;
    QLocalServer *m_server = nullptr;
};

} // namespace meshcraft::app
