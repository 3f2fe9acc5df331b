// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>
#include <QString>

class QAction;
class QDockWidget;
class QLabel;

namespace meshcraft::app {

class SessionBridge;
class GuidePanel;
class TerminalWidget;
class EditorPanel;

/// The learner's window: the Mesh view in the centre and every other panel in a dock (Guide
/// left, Editor and Inspector right, Terminal and Event timeline at the bottom). Restores its
/// layout and the last lab and step from QSettings; the lab's progress comes from the session.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// `bridge` must outlive the window.
    explicit MainWindow(SessionBridge &bridge, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a lab (an id or a folder) in the session; the panels fill in when it has opened.
    void openLab(const QString &labIdOrPath);
    /// Brings the window to the front (a second launch asked for it).
    void activateFromOtherInstance();

    SessionBridge &bridge() const { return m_bridge; }
    GuidePanel *guide() const { return m_guide; }
    TerminalWidget *terminal() const { return m_terminal; }
    EditorPanel *editor() const { return m_editor; }
    /// The mesh-view work's panels (see mesh_panels.h).
    QWidget *meshView() const { return m_meshView; }
    QWidget *inspector() const { return m_inspector; }
    QWidget *timeline() const { return m_timeline; }

    QDockWidget *guideDock() const { return m_guideDock; }
    QDockWidget *terminalDock() const { return m_terminalDock; }
    QDockWidget *editorDock() const { return m_editorDock; }
    QDockWidget *inspectorDock() const { return m_inspectorDock; }
    QDockWidget *timelineDock() const { return m_timelineDock; }

    /// The window's actions, by name, for tests and menus: "runCommand", "check", "nextStep",
    /// "previousStep", "focusTerminal", "focusEditor", "apply", "resetLayout", "about".
    QAction *action(const QString &name) const;

    /// Lays the docks out as on first start (also the "Reset layout" action).
    void resetLayout();

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    QDockWidget *addPanelDock(QWidget *panel, const QString &title, const QString &objectName,
                              Qt::DockWidgetArea area);
    void createActions();
    void createMenus();
    void connectBridge();
    void restoreSettings();
    void saveSettings() const;
    void applyTheme();
    void showAbout();
    void updateTitle();

    SessionBridge &m_bridge;
    GuidePanel *m_guide = nullptr;
    TerminalWidget *m_terminal = nullptr;
    EditorPanel *m_editor = nullptr;
    QWidget *m_meshView = nullptr;
    QWidget *m_inspector = nullptr;
    QWidget *m_timeline = nullptr;
    QDockWidget *m_guideDock = nullptr;
    QDockWidget *m_terminalDock = nullptr;
    QDockWidget *m_editorDock = nullptr;
    QDockWidget *m_inspectorDock = nullptr;
    QDockWidget *m_timelineDock = nullptr;
    QLabel *m_statusProgress = nullptr;
    QString m_labTitle;
    int m_restoredStep = 0;
    bool m_stateRestored = false; ///< the docks came from QSettings
    bool m_shownOnce = false;
    bool m_darkTheme = false;
};

} // namespace meshcraft::app
