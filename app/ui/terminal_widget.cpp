// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/terminal_widget.h"

#include "app/bridge/session_bridge.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QMimeData>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>

namespace meshcraft::app {

namespace events = core::lab::events;

namespace {

// Bounds the text waiting for the next render, so a flood of output costs at most this much.
constexpr qsizetype MaxPendingChars = 4 * 1024 * 1024;
constexpr std::size_t MaxEchoes = 64;

QString shown(const QString &line)
{
    return line == QStringLiteral("\x1d") ? QStringLiteral("^]") : line;
}

} // namespace

TerminalWidget::TerminalWidget(SessionBridge &bridge, QWidget *parent)
    : QPlainTextEdit(parent)
    , m_bridge(bridge)
{
    setObjectName(QStringLiteral("terminal"));
    setUndoRedoEnabled(false);
    setMaximumBlockCount(MaxScrollbackLines);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setTabChangesFocus(false);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setAccessibleName(tr("Terminal"));
    // A terminal looks like one in either theme; these two colours read well together.
    QPalette colours = palette();
    colours.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
    colours.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    colours.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb0));
    colours.setColor(QPalette::HighlightedText, Qt::white);
    setPalette(colours);

    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(0);
    connect(&m_renderTimer, &QTimer::timeout, this, &TerminalWidget::render);

    connect(&m_bridge, &SessionBridge::inputLine, this, [this](const events::InputLine &event) {
        const QString text = QString::fromStdString(event.text);
        if (!m_echoes.empty() && m_echoes.front() == text) {
            m_echoes.pop_front(); // already on screen as typed
            return;
        }
        append(QString::fromStdString(event.prompt) + shown(text) + QLatin1Char('\n'));
    });
    connect(&m_bridge, &SessionBridge::commandOutput, this,
            [this](const events::CommandOutput &event) {
                // Tools write CR LF where a tty would (telnet); a line feed is enough here.
                QString text = QString::fromStdString(event.text);
                text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
                text.remove(QLatin1Char('\r'));
                append(text);
            });
    connect(&m_bridge, &SessionBridge::promptChanged, this,
            [this](const events::PromptChanged &event) {
                m_prompt = QString::fromStdString(event.prompt);
                m_attached = event.attached;
                m_promptShown = true;
                scheduleRender();
            });
    connect(&m_bridge, &SessionBridge::terminalAction, this,
            [this](const events::TerminalAction &event) {
                switch (event.kind) {
                case events::TerminalAction::Kind::Clear:
                    clearScreen();
                    break;
                case events::TerminalAction::Kind::OpenEditor:
                    emit openEditorRequested(QString::fromStdString(event.path));
                    break;
                case events::TerminalAction::Kind::Exit:
                    append(tr("[the shell exited with status %1; a new one starts]\n")
                               .arg(event.exitStatus));
                    break;
                }
            });
    connect(&m_bridge, &SessionBridge::completionReady, this,
            [this](const events::CompletionReady &event) { applyCompletion(event); });
    connect(&m_bridge, &SessionBridge::worldRebuilt, this,
            [this](const events::WorldRebuilt &event) {
                m_echoes.clear();
                if (m_used) { // not on the lab's first setup
                    append(tr("[the lab was set up for step %1]\n").arg(event.atStep));
                }
            });
    connect(&m_bridge, &SessionBridge::labOpened, this, [this](const events::LabOpened &) {
        if (!m_promptShown) {
            m_prompt = m_bridge.prompt();
            m_promptShown = !m_prompt.isEmpty();
            scheduleRender();
        }
    });
}

int TerminalWidget::inputStart() const
{
    const int end = document()->characterCount() - 1;
    return qBound(0, end - m_inputLength, end);
}

QString TerminalWidget::input() const
{
    QTextCursor cursor(document());
    cursor.setPosition(inputStart());
    cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    return cursor.selectedText();
}

bool TerminalWidget::cursorInInput() const
{
    const QTextCursor cursor = textCursor();
    return cursor.selectionStart() >= inputStart();
}

void TerminalWidget::moveToInputEnd()
{
    QTextCursor cursor = textCursor();
    cursor.movePosition(QTextCursor::End);
    setTextCursor(cursor);
}

void TerminalWidget::setInputText(const QString &text)
{
    QTextCursor cursor(document());
    cursor.setPosition(inputStart());
    cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    cursor.insertText(text);
    m_inputLength = static_cast<int>(text.size());
    setTextCursor(cursor);
    ensureCursorVisible();
}

void TerminalWidget::setInput(const QString &text)
{
    setInputText(text);
}

void TerminalWidget::append(const QString &text)
{
    m_pending += text;
    if (m_pending.size() > MaxPendingChars) {
        m_pending = m_pending.right(MaxPendingChars / 2);
    }
    scheduleRender();
}

void TerminalWidget::scheduleRender()
{
    // One document update per bridge flush, however many events it carried.
    if (!m_renderTimer.isActive()) {
        m_renderTimer.start();
    }
}

void TerminalWidget::render()
{
    QScrollBar *bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    const QString typed = input();
    const QTextCursor before = textCursor();
    const int cursorOffset =
        before.hasSelection() ? -1 : before.position() - inputStart(); // < 0: not in the input

    // Take the prompt line off, add the history, then put the prompt and the input back.
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    cursor.setPosition(inputStart() - static_cast<int>(m_shownPrompt.size()));
    cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    cursor.beginEditBlock();
    cursor.removeSelectedText();
    cursor.insertText(m_pending);
    m_pending.clear();
    m_shownPrompt = m_promptShown ? m_prompt : QString();
    cursor.insertText(m_shownPrompt);
    cursor.insertText(typed);
    cursor.endEditBlock();
    m_inputLength = static_cast<int>(typed.size());

    if (cursorOffset >= 0 || !before.hasSelection()) {
        QTextCursor place(document());
        place.setPosition(inputStart() + qBound(0, cursorOffset, m_inputLength));
        setTextCursor(place);
    }
    if (atBottom || cursorOffset >= 0) {
        bar->setValue(bar->maximum());
    }
}

void TerminalWidget::clearScreen()
{
    const QString typed = input();
    m_pending.clear();
    QPlainTextEdit::clear();
    m_shownPrompt.clear();
    m_inputLength = 0;
    QTextCursor cursor(document());
    m_shownPrompt = m_promptShown ? m_prompt : QString();
    cursor.insertText(m_shownPrompt);
    cursor.insertText(typed);
    m_inputLength = static_cast<int>(typed.size());
    setTextCursor(cursor);
}

void TerminalWidget::runLine(const QString &line)
{
    setInputText(line);
    submit();
}

void TerminalWidget::submit()
{
    const QString line = input();
    m_used = true;
    // The typed line stays on screen as history; the session's echo of it is skipped.
    setInputText(QString());
    m_pending += shown(line) + QLatin1Char('\n');
    m_promptShown = false;
    m_echoes.push_back(line);
    if (m_echoes.size() > MaxEchoes) {
        m_echoes.pop_front();
    }
    if (!m_attached && !line.trimmed().isEmpty()
        && (m_history.isEmpty() || m_history.constLast() != line)) {
        m_history.append(line);
    }
    m_historyIndex = static_cast<int>(m_history.size());
    m_draft.clear();
    // The prompt text stays where it is: it is part of the history line now.
    m_shownPrompt.clear();
    render();
    m_bridge.submitLine(line);
}

void TerminalWidget::printApplied(const events::Applied &event)
{
    // As if the learner had typed the apply: kubectl's own lines, else the diagnostics.
    QString text = tr("[editor] kubectl apply -f %1\n")
                       .arg(QFileInfo(QString::fromStdString(event.path)).fileName());
    for (const std::string &line : event.lines) {
        text += QString::fromStdString(line) + QLatin1Char('\n');
    }
    if (event.lines.empty()) {
        for (const auto &diagnostic : event.diagnostics) {
            text += QString::fromStdString(diagnostic.toString()) + QLatin1Char('\n');
        }
    }
    m_used = true;
    printNote(text);
}

void TerminalWidget::printNote(const QString &text)
{
    append(text.endsWith(QLatin1Char('\n')) ? text : text + QLatin1Char('\n'));
}

void TerminalWidget::showHistory(int delta)
{
    if (m_history.isEmpty()) {
        return;
    }
    const int size = static_cast<int>(m_history.size());
    if (m_historyIndex == size) {
        m_draft = input();
    }
    const int next = qBound(0, m_historyIndex + delta, size);
    if (next == m_historyIndex) {
        return;
    }
    m_historyIndex = next;
    setInputText(next == size ? m_draft : m_history.at(next));
}

void TerminalWidget::requestCompletion()
{
    const int cursor = textCursor().position() - inputStart();
    m_completionId = m_bridge.complete(input(), qMax(0, cursor));
}

void TerminalWidget::applyCompletion(const events::CompletionReady &event)
{
    if (event.requestId != m_completionId) {
        return; // the learner typed on; an old answer
    }
    const QString line = input();
    const int cursor = qBound(0, textCursor().position() - inputStart(), static_cast<int>(line.size()));
    const QByteArray bytes = line.toUtf8();
    const int from = static_cast<int>(
        QString::fromUtf8(bytes.left(static_cast<qsizetype>(event.replaceFrom))).size());
    const QString word = line.mid(from, cursor - from);
    QString replacement;
    if (event.candidates.size() == 1) {
        replacement = QString::fromStdString(event.candidates.front());
        if (event.appendSpace) {
            replacement += QLatin1Char(' ');
        }
    } else if (!event.commonPrefix.empty()
               && QString::fromStdString(event.commonPrefix).size() > word.size()) {
        replacement = QString::fromStdString(event.commonPrefix);
    } else if (event.candidates.size() > 1) {
        QStringList names;
        for (const std::string &candidate : event.candidates) {
            names.append(QString::fromStdString(candidate));
        }
        append(m_shownPrompt + line + QLatin1Char('\n') + names.join(QStringLiteral("  "))
               + QLatin1Char('\n'));
        return;
    } else {
        return;
    }
    const QString updated = line.left(from) + replacement + line.mid(cursor);
    setInputText(updated);
    QTextCursor place = textCursor();
    place.setPosition(inputStart() + from + static_cast<int>(replacement.size()));
    setTextCursor(place);
}

void TerminalWidget::keyPressEvent(QKeyEvent *event)
{
    const Qt::KeyboardModifiers mods = event->modifiers();
    const bool ctrl = mods.testFlag(Qt::ControlModifier);
    const bool shift = mods.testFlag(Qt::ShiftModifier);
    const int key = event->key();

    if (ctrl && shift && key == Qt::Key_C) {
        copy();
        return;
    }
    if (ctrl && shift && key == Qt::Key_V) {
        paste();
        return;
    }
    if (ctrl && key == Qt::Key_C) {
        if (textCursor().hasSelection()) {
            copy();
            return;
        }
        const QString typed = input();
        setInputText(QString());
        append(typed + QStringLiteral("^C\n"));
        m_shownPrompt.clear();
        m_promptShown = false;
        m_historyIndex = static_cast<int>(m_history.size());
        render();
        m_bridge.interrupt();
        return;
    }
    if (ctrl && key == Qt::Key_L) {
        clearScreen();
        return;
    }
    if (ctrl && key == Qt::Key_D) {
        if (input().isEmpty()) {
            append(QStringLiteral("\n"));
            m_bridge.sendEndOfFile();
            return;
        }
    }
    if (ctrl && key == Qt::Key_BracketRight) {
        runLine(QStringLiteral("\x1d")); // telnet's escape character
        return;
    }
    if (event->matches(QKeySequence::Copy) || event->matches(QKeySequence::SelectAll)
        || key == Qt::Key_PageUp || key == Qt::Key_PageDown) {
        QPlainTextEdit::keyPressEvent(event);
        return;
    }

    const bool editing = !event->text().isEmpty() || key == Qt::Key_Backspace
                         || key == Qt::Key_Delete || event->matches(QKeySequence::Paste)
                         || event->matches(QKeySequence::Cut);
    if ((editing || key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Tab
         || key == Qt::Key_Up || key == Qt::Key_Down)
        && !cursorInInput()) {
        moveToInputEnd();
    }

    switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        submit();
        return;
    case Qt::Key_Up:
        showHistory(-1);
        return;
    case Qt::Key_Down:
        showHistory(+1);
        return;
    case Qt::Key_Tab:
        requestCompletion();
        return;
    case Qt::Key_Backtab:
        return;
    case Qt::Key_Backspace:
        if (!textCursor().hasSelection() && textCursor().position() <= inputStart()) {
            return;
        }
        break;
    case Qt::Key_Left:
        if (!shift && textCursor().position() <= inputStart() && cursorInInput()) {
            return;
        }
        break;
    case Qt::Key_Home: {
        if (cursorInInput()) {
            QTextCursor cursor = textCursor();
            cursor.setPosition(inputStart(),
                               shift ? QTextCursor::KeepAnchor : QTextCursor::MoveAnchor);
            setTextCursor(cursor);
            return;
        }
        break;
    }
    default:
        break;
    }
    const int before = document()->characterCount();
    QPlainTextEdit::keyPressEvent(event);
    m_inputLength += document()->characterCount() - before;
    m_inputLength = qMax(0, m_inputLength);
}

bool TerminalWidget::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasText();
}

void TerminalWidget::insertFromMimeData(const QMimeData *source)
{
    if (!cursorInInput()) {
        moveToInputEnd();
    }
    QString text = source->text();
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    // Each complete pasted line runs, as in a terminal; the rest waits at the prompt.
    const qsizetype lastNewline = text.lastIndexOf(QLatin1Char('\n'));
    if (lastNewline >= 0) {
        const QStringList lines = text.left(lastNewline).split(QLatin1Char('\n'));
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (i == 0) {
                QTextCursor cursor = textCursor();
                cursor.insertText(lines.at(i));
                m_inputLength += static_cast<int>(lines.at(i).size());
                submit();
            } else {
                runLine(lines.at(i));
            }
        }
        text = text.mid(lastNewline + 1);
    }
    QTextCursor cursor = textCursor();
    cursor.insertText(text);
    m_inputLength += static_cast<int>(text.size());
}

} // namespace meshcraft::app
