// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/lab/session.h"

#include <QPlainTextEdit>
#include <QStringList>
#include <QTimer>

#include <cstdint>
#include <deque>

namespace meshcraft::app {

class SessionBridge;

/// The lab's terminal: read-only history above an input line at the session's prompt.
///
/// Keys: Enter submits, Up/Down walk the history, Tab completes (the session answers), Ctrl+C
/// copies a selection or else interrupts, Ctrl+L clears, Ctrl+D sends end-of-file on an empty
/// line, Ctrl+] is telnet's escape, Ctrl+Shift+C/V copy and paste. Output is appended once per
/// bridge flush and the scrollback is capped, so long output stays fast; nothing here waits.
class TerminalWidget : public QPlainTextEdit
{
    Q_OBJECT

public:
    static constexpr int MaxScrollbackLines = 10'000;

    explicit TerminalWidget(SessionBridge &bridge, QWidget *parent = nullptr);

    /// Types `line` at the prompt and submits it, as if the learner had (the guide's Run).
    void runLine(const QString &line);
    /// Puts `text` in the input line without submitting it.
    void setInput(const QString &text);
    QString input() const;
    QString prompt() const { return m_prompt; }
    bool attached() const { return m_attached; }
    /// The whole visible text (tests).
    QString transcript() const { return toPlainText(); }

    /// Applies a result of the editor's Apply as kubectl would print it.
    void printApplied(const core::lab::events::Applied &event);
    /// Prints a message from the app (not the session) in the history, e.g. the editor's Apply.
    void printNote(const QString &text);

signals:
    /// `edit FILE` in the shell.
    void openEditorRequested(const QString &path);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void insertFromMimeData(const QMimeData *source) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;

private:
    void submit();
    void append(const QString &text);
    void render();
    void scheduleRender();
    void clearScreen();
    void showHistory(int delta);
    void requestCompletion();
    void applyCompletion(const core::lab::events::CompletionReady &event);
    void moveToInputEnd();
    int inputStart() const;
    bool cursorInInput() const;
    void setInputText(const QString &text);

    SessionBridge &m_bridge;
    QTimer m_renderTimer;
    QString m_pending;          ///< history text not yet in the document
    QString m_prompt;           ///< the session's last prompt
    QString m_shownPrompt;      ///< the prompt text in the document before the input
    bool m_promptShown = false; ///< false while a command runs
    bool m_attached = false;
    bool m_used = false;        ///< the learner ran something (rebuild notices make sense)
    int m_inputLength = 0;      ///< characters of input after the prompt
    QStringList m_history;
    int m_historyIndex = 0;     ///< == m_history.size() when editing a new line
    QString m_draft;            ///< the line being typed before walking the history
    std::deque<QString> m_echoes; ///< lines submitted here whose echo the session will repeat
    std::uint64_t m_completionId = 0;
};

} // namespace meshcraft::app
