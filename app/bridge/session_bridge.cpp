// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/bridge/session_bridge.h"

#include <QMetaObject>

#include <type_traits>
#include <utility>

namespace meshcraft::app {

namespace events = core::lab::events;

namespace {

std::string toStd(const QString &text)
{
    return text.toStdString();
}

// Registers the payloads once, so queued connections of the signals work too.
void registerMetaTypes()
{
    static const bool done = [] {
        qRegisterMetaType<EventBatch>();
        qRegisterMetaType<events::LabOpened>();
        qRegisterMetaType<events::OpenFailed>();
        qRegisterMetaType<events::LabLocked>();
        qRegisterMetaType<events::InputLine>();
        qRegisterMetaType<events::CommandStarted>();
        qRegisterMetaType<events::CommandOutput>();
        qRegisterMetaType<events::CommandFinished>();
        qRegisterMetaType<events::PromptChanged>();
        qRegisterMetaType<events::TerminalAction>();
        qRegisterMetaType<events::CompletionReady>();
        qRegisterMetaType<events::BufferValidated>();
        qRegisterMetaType<events::Applied>();
        qRegisterMetaType<events::StoreChanged>();
        qRegisterMetaType<events::ConfigPushed>();
        qRegisterMetaType<events::Connection>();
        qRegisterMetaType<events::ProbeObserved>();
        qRegisterMetaType<events::Dropped>();
        qRegisterMetaType<events::ChecksEvaluated>();
        qRegisterMetaType<events::StepStateChanged>();
        qRegisterMetaType<events::ProgressChanged>();
        qRegisterMetaType<events::Note>();
        qRegisterMetaType<events::HintReleased>();
        qRegisterMetaType<events::SolutionStarted>();
        qRegisterMetaType<events::SolutionEdit>();
        qRegisterMetaType<events::SolutionDeviation>();
        qRegisterMetaType<events::SolutionShown>();
        qRegisterMetaType<events::CartStatsChanged>();
        qRegisterMetaType<events::InstanceChanged>();
        qRegisterMetaType<events::TopologyChanged>();
        qRegisterMetaType<events::FileChanged>();
        qRegisterMetaType<events::WorldRebuilt>();
        qRegisterMetaType<events::ProxyDetailsReady>();
        qRegisterMetaType<events::TraceReady>();
        qRegisterMetaType<events::Saved>();
        qRegisterMetaType<events::Error>();
        return true;
    }();
    Q_UNUSED(done);
}

} // namespace

SessionBridge::SessionBridge(core::lab::SessionOptions options, QObject *parent)
    : QObject(parent)
    , m_session(std::make_unique<core::lab::Session>(std::move(options)))
{
    registerMetaTypes();
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &SessionBridge::flush);
    m_sinceFlush.start();
    m_session->setObserver(this);
}

SessionBridge::~SessionBridge()
{
    // The session thread may still deliver a batch while it stops; the members it touches
    // (the mutex and the pending batch) outlive it. Queued wake-ups die with this object.
    m_session.reset();
}

void SessionBridge::onSessionEvents(const std::vector<core::lab::Event> &batch)
{
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        for (const core::lab::Event &event : batch) {
            const auto *connection = std::get_if<events::Connection>(&event.payload);
            if (connection != nullptr) {
                const auto known = m_pendingBytes.find(connection->connectionId);
                if (connection->kind == events::Connection::Kind::Bytes) {
                    // Only the latest totals matter to the UI: the queue must not grow with bytes.
                    if (known != m_pendingBytes.end()) {
                        // The latest totals take the earlier one's place and sequence number,
                        // so the batch stays in order.
                        m_pending[known->second].payload = event.payload;
                        continue;
                    }
                    m_pendingBytes.emplace(connection->connectionId, m_pending.size());
                } else if (known != m_pendingBytes.end()) {
                    m_pendingBytes.erase(known); // later Bytes come after this event
                }
            }
            m_pending.push_back(event);
        }
        if (!m_wakeQueued && !m_pending.empty()) {
            m_wakeQueued = true;
            wake = true;
        }
    }
    if (wake) {
        QMetaObject::invokeMethod(this, [this] { scheduleFlush(); }, Qt::QueuedConnection);
    }
}

void SessionBridge::scheduleFlush()
{
    const qint64 elapsed = m_sinceFlush.elapsed();
    if (elapsed >= FlushIntervalMs) {
        flush();
        return;
    }
    if (!m_flushTimer.isActive()) {
        m_flushTimer.start(static_cast<int>(FlushIntervalMs - elapsed));
    }
}

void SessionBridge::flushForTest()
{
    flush();
}

int SessionBridge::flushCountForTest() const
{
    return m_flushCount;
}

void SessionBridge::flush()
{
    EventBatch batch;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_pending);
        m_pendingBytes.clear();
        m_wakeQueued = false;
    }
    m_flushTimer.stop();
    if (batch.empty()) {
        return;
    }
    m_sinceFlush.restart();
    ++m_flushCount;
    emit eventsFlushed(batch);
    for (const core::lab::Event &event : batch) {
        dispatch(event);
    }
}

void SessionBridge::dispatch(const core::lab::Event &event)
{
    std::visit(
        [this](const auto &payload) {
            using T = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<T, events::LabOpened>) {
                m_labId = QString::fromStdString(payload.labId);
                emit labOpened(payload);
            } else if constexpr (std::is_same_v<T, events::OpenFailed>) {
                emit openFailed(payload);
            } else if constexpr (std::is_same_v<T, events::LabLocked>) {
                emit labLocked(payload);
            } else if constexpr (std::is_same_v<T, events::InputLine>) {
                emit inputLine(payload);
            } else if constexpr (std::is_same_v<T, events::CommandStarted>) {
                emit commandStarted(payload);
            } else if constexpr (std::is_same_v<T, events::CommandOutput>) {
                emit commandOutput(payload);
            } else if constexpr (std::is_same_v<T, events::CommandFinished>) {
                emit commandFinished(payload);
            } else if constexpr (std::is_same_v<T, events::PromptChanged>) {
                emit promptChanged(payload);
            } else if constexpr (std::is_same_v<T, events::TerminalAction>) {
                emit terminalAction(payload);
            } else if constexpr (std::is_same_v<T, events::CompletionReady>) {
                emit completionReady(payload);
            } else if constexpr (std::is_same_v<T, events::BufferValidated>) {
                emit bufferValidated(payload);
            } else if constexpr (std::is_same_v<T, events::Applied>) {
                emit applied(payload);
            } else if constexpr (std::is_same_v<T, events::StoreChanged>) {
                emit storeChanged(payload);
            } else if constexpr (std::is_same_v<T, events::ConfigPushed>) {
                emit configPushed(payload);
            } else if constexpr (std::is_same_v<T, events::Connection>) {
                emit connectionEvent(payload);
            } else if constexpr (std::is_same_v<T, events::ProbeObserved>) {
                emit probeObserved(payload);
            } else if constexpr (std::is_same_v<T, events::Dropped>) {
                emit eventsDropped(payload);
            } else if constexpr (std::is_same_v<T, events::ChecksEvaluated>) {
                emit checksEvaluated(payload);
            } else if constexpr (std::is_same_v<T, events::StepStateChanged>) {
                emit stepStateChanged(payload);
            } else if constexpr (std::is_same_v<T, events::ProgressChanged>) {
                emit progressChanged(payload);
            } else if constexpr (std::is_same_v<T, events::Note>) {
                emit noteShown(payload);
            } else if constexpr (std::is_same_v<T, events::HintReleased>) {
                emit hintReleased(payload);
            } else if constexpr (std::is_same_v<T, events::SolutionStarted>) {
                emit solutionStarted(payload);
            } else if constexpr (std::is_same_v<T, events::SolutionEdit>) {
                emit solutionEdit(payload);
            } else if constexpr (std::is_same_v<T, events::SolutionDeviation>) {
                emit solutionDeviation(payload);
            } else if constexpr (std::is_same_v<T, events::SolutionShown>) {
                emit solutionShown(payload);
            } else if constexpr (std::is_same_v<T, events::CartStatsChanged>) {
                emit cartStatsChanged(payload);
            } else if constexpr (std::is_same_v<T, events::InstanceChanged>) {
                emit instanceChanged(payload);
            } else if constexpr (std::is_same_v<T, events::TopologyChanged>) {
                emit topologyChanged(payload);
            } else if constexpr (std::is_same_v<T, events::FileChanged>) {
                emit fileChanged(payload);
            } else if constexpr (std::is_same_v<T, events::WorldRebuilt>) {
                emit worldRebuilt(payload);
            } else if constexpr (std::is_same_v<T, events::ProxyDetailsReady>) {
                emit proxyDetailsReady(payload);
            } else if constexpr (std::is_same_v<T, events::TraceReady>) {
                emit traceReady(payload);
            } else if constexpr (std::is_same_v<T, events::Saved>) {
                emit saved(payload);
            } else if constexpr (std::is_same_v<T, events::Error>) {
                emit errorReported(payload);
            } else {
                static_assert(!sizeof(T *), "every event kind has a signal");
            }
        },
        event.payload);
}

std::uint64_t SessionBridge::nextRequestId()
{
    return ++m_lastRequestId;
}

// ---- Calls into the session (all post to the session thread and return at once) ---------------

void SessionBridge::open(const QString &labIdOrPath)
{
    m_session->open(toStd(labIdOrPath));
}

QString SessionBridge::labId() const
{
    return m_labId;
}

std::shared_ptr<const core::lab::Definition> SessionBridge::definition() const
{
    return m_session->definition();
}

void SessionBridge::submitLine(const QString &line)
{
    m_session->submitLine(toStd(line));
}

void SessionBridge::sendEndOfFile()
{
    m_session->sendEndOfFile();
}

void SessionBridge::interrupt()
{
    m_session->interrupt();
}

std::uint64_t SessionBridge::complete(const QString &line, int cursor)
{
    const std::uint64_t id = nextRequestId();
    // The session counts the cursor in UTF-8 bytes.
    const QByteArray before = line.left(cursor).toUtf8();
    m_session->complete(toStd(line), static_cast<std::size_t>(before.size()), id);
    return id;
}

QString SessionBridge::prompt() const
{
    return QString::fromStdString(m_session->prompt());
}

std::uint64_t SessionBridge::validateBuffer(const QString &path, const QString &text)
{
    const std::uint64_t id = nextRequestId();
    m_session->validateBuffer(toStd(path), toStd(text), id);
    return id;
}

std::uint64_t SessionBridge::applyBuffer(const QString &path, const QString &text)
{
    const std::uint64_t id = nextRequestId();
    m_session->applyBuffer(toStd(path), toStd(text), id);
    return id;
}

void SessionBridge::writeFile(const QString &path, const QString &text)
{
    m_session->writeFile(toStd(path), toStd(text));
}

void SessionBridge::revertFile(const QString &path)
{
    m_session->revertFile(toStd(path));
}

std::optional<QString> SessionBridge::readFile(const QString &path) const
{
    std::optional<std::string> text = m_session->readFile(toStd(path));
    if (!text) {
        return std::nullopt;
    }
    return QString::fromStdString(*text);
}

QStringList SessionBridge::workspaceFiles() const
{
    QStringList files;
    for (const std::string &path : m_session->workspaceFiles()) {
        files.append(QString::fromStdString(path));
    }
    return files;
}

void SessionBridge::checkStep(int step)
{
    m_session->checkStep(step);
}

void SessionBridge::nextHint(int step)
{
    m_session->nextHint(step);
}

void SessionBridge::showSolution(int step)
{
    m_session->showSolution(step);
}

void SessionBridge::resetStep(int step)
{
    m_session->resetStep(step);
}

void SessionBridge::jumpToStep(int step)
{
    m_session->jumpToStep(step);
}

void SessionBridge::resetLab()
{
    m_session->resetLab();
}

std::vector<core::lab::StepStatus> SessionBridge::steps() const
{
    return m_session->steps();
}

core::lab::Progress SessionBridge::progress() const
{
    return m_session->progress();
}

std::vector<core::lab::CheckResult> SessionBridge::lastResults(int step) const
{
    return m_session->lastResults(step);
}

std::shared_ptr<const core::lab::TopologySnapshot> SessionBridge::topology() const
{
    return m_session->topology();
}

std::vector<core::lab::ProxySummary> SessionBridge::proxies() const
{
    return m_session->proxies();
}

std::uint64_t SessionBridge::requestProxyDetails(const QString &proxyId)
{
    const std::uint64_t id = nextRequestId();
    m_session->requestProxyDetails(toStd(proxyId), id);
    return id;
}

std::uint64_t SessionBridge::requestTrace(std::uint64_t traceId)
{
    const std::uint64_t id = nextRequestId();
    m_session->requestTrace(traceId, id);
    return id;
}

core::lab::Session &SessionBridge::sessionForTest()
{
    return *m_session;
}

} // namespace meshcraft::app
