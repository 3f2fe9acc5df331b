// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/lab/session.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

class QLabel;
class QPushButton;
class QTabWidget;
class QTreeView;
class QsciScintilla;

namespace meshcraft::app {

class SessionBridge;
class ProblemListModel;

/// The YAML editor: a tab per lab file (and per file opened by the terminal's `edit FILE`),
/// diagnostics as you type (a margin marker, an underline at line:column, the message as an
/// annotation, and a problems list that jumps to the spot), Apply as `kubectl apply -f` does
/// (all or nothing, D4), edits saved to the lab's workspace as you go, and Revert (D23).
class EditorPanel : public QWidget
{
    Q_OBJECT

public:
    /// Typing pauses this long before the buffer is validated.
    static constexpr int ValidateDelayMs = 300;
    /// And this long before it is saved to the workspace.
    static constexpr int SaveDelayMs = 800;

    explicit EditorPanel(SessionBridge &bridge, QWidget *parent = nullptr);
    ~EditorPanel() override;

    /// Opens (or shows) a workspace file's tab; `path` as the session names it.
    void openFile(const QString &path);
    /// Applies the current tab's buffer.
    void applyCurrent();
    /// Restores the current tab's file to the lab's original.
    void revertCurrent();
    /// Follows the palette: light or dark lexer colours.
    void setDark(bool dark);

    // For the window and tests.
    QString currentPath() const;
    QStringList openPaths() const;
    QsciScintilla *editorFor(const QString &path) const;
    QsciScintilla *currentEditor() const;
    ProblemListModel *problems() const { return m_problems; }
    QTreeView *problemsView() const { return m_problemsView; }
    /// 1-based lines that carry a diagnostic marker in `path`'s buffer.
    QList<int> markerLines(const QString &path) const;
    /// Whether the last validation of `path` is in (no validation pending).
    bool isValidated(const QString &path) const;

signals:
    /// The result of this panel's Apply (the window prints it in the terminal).
    void applied(const meshcraft::core::lab::events::Applied &event);

private:
    struct Buffer;

    Buffer *bufferFor(const QString &path) const;
    Buffer *currentBuffer() const;
    Buffer *createBuffer(const QString &path);
    void loadWorkspace();
    void reloadFromWorkspace(Buffer &buffer);
    void validateNow(Buffer &buffer);
    void saveNow(Buffer &buffer);
    void showDiagnostics(Buffer &buffer, const core::common::Diagnostics &diagnostics);
    void styleEditor(QsciScintilla &editor) const;
    void jumpTo(const QModelIndex &index);
    void updateStatus();

    SessionBridge &m_bridge;
    QTabWidget *m_tabs = nullptr;
    QPushButton *m_applyButton = nullptr;
    QPushButton *m_revertButton = nullptr;
    QLabel *m_status = nullptr;
    QTreeView *m_problemsView = nullptr;
    ProblemListModel *m_problems = nullptr;
    std::vector<std::unique_ptr<Buffer>> m_buffers;
    std::map<std::uint64_t, QString> m_validations; ///< request id -> path
    std::map<std::uint64_t, QString> m_applies;     ///< request id -> path
    bool m_dark = false;
};

} // namespace meshcraft::app
