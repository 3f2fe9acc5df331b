// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/lab/session.h"

#include <QElapsedTimer>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace meshcraft::app {

/// A batch of session events as the UI receives it: in the session's order, with a connection's
/// Bytes events merged into its latest totals.
using EventBatch = std::vector<core::lab::Event>;

/// The app's only door to the core: owns the lab::Session, observes it, and re-emits its event
/// stream on the UI thread as typed Qt signals.
///
/// Threading: construct and use on the UI thread. The session calls onSessionEvents() on its own
/// thread; the batch is copied under a mutex and a queued call wakes the UI thread, which flushes
/// at most ~30 times a second (D17). Every method returns at once; results come back as signals.
/// Signals are emitted on the UI thread, so receivers may connect directly (with a context).
class SessionBridge : public QObject, private core::lab::SessionObserver
{
    Q_OBJECT

public:
    /// The interval between two flushes: at most ~30 updates a second (D17).
    static constexpr int FlushIntervalMs = 33;

    explicit SessionBridge(core::lab::SessionOptions options = {}, QObject *parent = nullptr);
    /// Stops the session (its thread, its World) before the bridge goes away.
    ~SessionBridge() override;

    // -- The lab --
    void open(const QString &labIdOrPath);
    QString labId() const; ///< empty before labOpened
    std::shared_ptr<const core::lab::Definition> definition() const;

    // -- The terminal --
    void submitLine(const QString &line);
    void sendEndOfFile();
    void interrupt();
    /// Tab completion; the answer is completionReady() with the returned id.
    std::uint64_t complete(const QString &line, int cursor);
    QString prompt() const;

    // -- The editor (virtual paths, absolute or relative to the lab's files) --
    std::uint64_t validateBuffer(const QString &path, const QString &text);
    std::uint64_t applyBuffer(const QString &path, const QString &text);
    void writeFile(const QString &path, const QString &text);
    void revertFile(const QString &path);
    std::optional<QString> readFile(const QString &path) const;
    QStringList workspaceFiles() const;

    // -- The guide (1-based steps) --
    void checkStep(int step);
    void nextHint(int step);
    void showSolution(int step);
    void resetStep(int step);
    void jumpToStep(int step);
    void resetLab();
    std::vector<core::lab::StepStatus> steps() const;
    core::lab::Progress progress() const;
    std::vector<core::lab::CheckResult> lastResults(int step) const;

    // -- The mesh view and the inspector --
    std::shared_ptr<const core::lab::TopologySnapshot> topology() const;
    std::vector<core::lab::ProxySummary> proxies() const;
    /// Answered by proxyDetailsReady() with the returned id.
    std::uint64_t requestProxyDetails(const QString &proxyId);
    /// Answered by traceReady() with the returned id.
    std::uint64_t requestTrace(std::uint64_t traceId);

    /// The session itself, for tests that need runSync()/waitIdle() (never from the UI code).
    core::lab::Session &sessionForTest();
    /// Flushes what has arrived now instead of at the next tick (tests).
    void flushForTest();
    /// How many flushes ran (tests assert the D17 rate).
    int flushCountForTest() const;

signals:
    /// Every flushed batch, in order, before the typed signals of its events (timeline).
    void eventsFlushed(const meshcraft::app::EventBatch &batch);

    void labOpened(const meshcraft::core::lab::events::LabOpened &event);
    void openFailed(const meshcraft::core::lab::events::OpenFailed &event);
    void labLocked(const meshcraft::core::lab::events::LabLocked &event);
    void inputLine(const meshcraft::core::lab::events::InputLine &event);
    void commandStarted(const meshcraft::core::lab::events::CommandStarted &event);
    void commandOutput(const meshcraft::core::lab::events::CommandOutput &event);
    void commandFinished(const meshcraft::core::lab::events::CommandFinished &event);
    void promptChanged(const meshcraft::core::lab::events::PromptChanged &event);
    void terminalAction(const meshcraft::core::lab::events::TerminalAction &event);
    void completionReady(const meshcraft::core::lab::events::CompletionReady &event);
    void bufferValidated(const meshcraft::core::lab::events::BufferValidated &event);
    void applied(const meshcraft::core::lab::events::Applied &event);
    void storeChanged(const meshcraft::core::lab::events::StoreChanged &event);
    void configPushed(const meshcraft::core::lab::events::ConfigPushed &event);
    void connectionEvent(const meshcraft::core::lab::events::Connection &event);
    void probeObserved(const meshcraft::core::lab::events::ProbeObserved &event);
    void eventsDropped(const meshcraft::core::lab::events::Dropped &event);
    void checksEvaluated(const meshcraft::core::lab::events::ChecksEvaluated &event);
    void stepStateChanged(const meshcraft::core::lab::events::StepStateChanged &event);
    void progressChanged(const meshcraft::core::lab::events::ProgressChanged &event);
    void noteShown(const meshcraft::core::lab::events::Note &event);
    void hintReleased(const meshcraft::core::lab::events::HintReleased &event);
    void solutionStarted(const meshcraft::core::lab::events::SolutionStarted &event);
    void solutionEdit(const meshcraft::core::lab::events::SolutionEdit &event);
    void solutionDeviation(const meshcraft::core::lab::events::SolutionDeviation &event);
    void solutionShown(const meshcraft::core::lab::events::SolutionShown &event);
    void cartStatsChanged(const meshcraft::core::lab::events::CartStatsChanged &event);
    void instanceChanged(const meshcraft::core::lab::events::InstanceChanged &event);
    void topologyChanged(const meshcraft::core::lab::events::TopologyChanged &event);
    void fileChanged(const meshcraft::core::lab::events::FileChanged &event);
    void worldRebuilt(const meshcraft::core::lab::events::WorldRebuilt &event);
    void proxyDetailsReady(const meshcraft::core::lab::events::ProxyDetailsReady &event);
    void traceReady(const meshcraft::core::lab::events::TraceReady &event);
    void saved(const meshcraft::core::lab::events::Saved &event);
    void errorReported(const meshcraft::core::lab::events::Error &event);

private:
    // Interface (SessionObserver), called on the session thread.
    void onSessionEvents(const std::vector<core::lab::Event> &batch) override;

    void scheduleFlush();
    void flush();
    void dispatch(const core::lab::Event &event);

    std::uint64_t nextRequestId();

    QTimer m_flushTimer;
    QElapsedTimer m_sinceFlush;
    int m_flushCount = 0;
    std::uint64_t m_lastRequestId = 0;
    QString m_labId;

    // Shared with the session thread.
    mutable std::mutex m_mutex;
    EventBatch m_pending;
    std::map<std::uint64_t, std::size_t> m_pendingBytes; ///< connection id -> index in m_pending
    bool m_wakeQueued = false;

    // Last: destroyed first, so the session thread stops while the rest is still alive.
    std::unique_ptr<core::lab::Session> m_session;
};

} // namespace meshcraft::app

Q_DECLARE_METATYPE(meshcraft::app::EventBatch)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::LabOpened)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::OpenFailed)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::LabLocked)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::InputLine)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::CommandStarted)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::CommandOutput)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::CommandFinished)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::PromptChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::TerminalAction)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::CompletionReady)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::BufferValidated)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::Applied)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::StoreChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::ConfigPushed)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::Connection)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::ProbeObserved)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::Dropped)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::ChecksEvaluated)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::StepStateChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::ProgressChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::Note)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::HintReleased)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::SolutionStarted)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::SolutionEdit)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::SolutionDeviation)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::SolutionShown)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::CartStatsChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::InstanceChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::TopologyChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::FileChanged)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::WorldRebuilt)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::ProxyDetailsReady)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::TraceReady)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::Saved)
Q_DECLARE_METATYPE(meshcraft::core::lab::events::Error)
