// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/single_instance.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>

#include <unistd.h>

namespace meshcraft::app {

namespace {
constexpr QByteArrayView ActivateMessage = "activate\n";
}

SingleInstance::SingleInstance(QString key, QObject *parent)
    : QObject(parent)
    , m_key(key.isEmpty() ? defaultKey() : std::move(key))
{
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::defaultKey()
{
    return QStringLiteral("meshcraft-%1").arg(getuid());
}

bool SingleInstance::activateRunning(int timeoutMs) const
{
    QLocalSocket socket;
    socket.connectToServer(m_key);
    if (!socket.waitForConnected(timeoutMs)) {
        return false;
    }
    socket.write(ActivateMessage.data(), ActivateMessage.size());
    if (!socket.waitForBytesWritten(timeoutMs)) {
        return false;
    }
    socket.disconnectFromServer();
    return true;
}

bool SingleInstance::listen()
{
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_key)) {
        // A crashed instance leaves its socket file behind; nobody answered on it.
        QLocalServer::removeServer(m_key);
        if (!m_server->listen(m_key)) {
            return false;
        }
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server->nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                while (socket->canReadLine()) {
                    if (socket->readLine().trimmed() == "activate") {
                        emit activateRequested();
                    }
                }
            });
        }
    });
    return true;
}

} // namespace meshcraft::app
