// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/main_window.h"

#include "app/bridge/session_bridge.h"
#include "app/ui/editor_panel.h"
#include "app/ui/guide_panel.h"
#include "app/ui/mesh_panels.h"
#include "app/ui/terminal_widget.h"
#include "app/ui/theme.h"
#include "core/common/version.h"

#include <Qsci/qsciscintilla.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

namespace meshcraft::app {

MainWindow::MainWindow(SessionBridge &bridge, QWidget *parent)
    : QMainWindow(parent)
    , m_bridge(bridge)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Meshcraft"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks
                   | QMainWindow::AllowNestedDocks);
    // The guide and the editor take the full height; the terminal sits under the mesh view.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    const MeshPanels panels = createMeshPanels(m_bridge, this);
    m_meshView = panels.meshView;
    m_inspector = panels.inspector;
    m_timeline = panels.timeline;
    setCentralWidget(m_meshView);

    m_guide = new GuidePanel(m_bridge, this);
    m_terminal = new TerminalWidget(m_bridge, this);
    m_editor = new EditorPanel(m_bridge, this);

    m_guideDock = addPanelDock(m_guide, tr("Guide"), QStringLiteral("guideDock"),
                               Qt::LeftDockWidgetArea);
    m_editorDock = addPanelDock(m_editor, tr("Editor"), QStringLiteral("editorDock"),
                                Qt::RightDockWidgetArea);
    m_inspectorDock = addPanelDock(m_inspector, tr("Inspector"), QStringLiteral("inspectorDock"),
                                   Qt::RightDockWidgetArea);
    m_terminalDock = addPanelDock(m_terminal, tr("Terminal"), QStringLiteral("terminalDock"),
                                  Qt::BottomDockWidgetArea);
    m_timelineDock = addPanelDock(m_timeline, tr("Event timeline"),
                                  QStringLiteral("timelineDock"), Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_editorDock, m_inspectorDock);
    tabifyDockWidget(m_terminalDock, m_timelineDock);

    createActions();
    createMenus();
    m_statusProgress = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusProgress);
    connectBridge();
    applyTheme();
    resetLayout();
    restoreSettings();
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addPanelDock(QWidget *panel, const QString &title,
                                      const QString &objectName, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(panel);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createActions()
{
    const auto add = [this](const QString &name, const QString &text, const QKeySequence &keys) {
        auto *act = new QAction(text, this);
        act->setObjectName(name);
        act->setShortcut(keys);
        act->setShortcutContext(Qt::WindowShortcut);
        addAction(act);
        return act;
    };
    add(QStringLiteral("runCommand"), tr("&Run the Step's Command"),
        QKeySequence(Qt::CTRL | Qt::Key_Return));
    add(QStringLiteral("check"), tr("&Check"), QKeySequence(Qt::Key_F5));
    add(QStringLiteral("nextStep"), tr("&Next Step"), QKeySequence(Qt::ALT | Qt::Key_Right));
    add(QStringLiteral("previousStep"), tr("&Previous Step"),
        QKeySequence(Qt::ALT | Qt::Key_Left));
    add(QStringLiteral("focusGuide"), tr("Focus the &Guide"), QKeySequence(Qt::CTRL | Qt::Key_1));
    add(QStringLiteral("focusTerminal"), tr("Focus the &Terminal"),
        QKeySequence(Qt::CTRL | Qt::Key_2));
    add(QStringLiteral("focusEditor"), tr("Focus the &Editor"), QKeySequence(Qt::CTRL | Qt::Key_3));
    add(QStringLiteral("apply"), tr("&Apply the File"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return));
    add(QStringLiteral("resetLayout"), tr("Reset &Layout"), QKeySequence());
    add(QStringLiteral("about"), tr("&About Meshcraft"), QKeySequence());
    add(QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit);

    connect(action(QStringLiteral("runCommand")), &QAction::triggered, m_guide,
            &GuidePanel::runNextCommand);
    connect(action(QStringLiteral("check")), &QAction::triggered, m_guide, &GuidePanel::check);
    connect(action(QStringLiteral("nextStep")), &QAction::triggered, m_guide,
            &GuidePanel::nextStep);
    connect(action(QStringLiteral("previousStep")), &QAction::triggered, m_guide,
            &GuidePanel::previousStep);
    connect(action(QStringLiteral("focusGuide")), &QAction::triggered, this, [this] {
        m_guideDock->show();
        m_guideDock->raise();
        m_guide->setFocus();
    });
    connect(action(QStringLiteral("focusTerminal")), &QAction::triggered, this, [this] {
        m_terminalDock->show();
        m_terminalDock->raise();
        m_terminal->setFocus();
    });
    connect(action(QStringLiteral("focusEditor")), &QAction::triggered, this, [this] {
        m_editorDock->show();
        m_editorDock->raise();
        if (QsciScintilla *editor = m_editor->currentEditor()) {
            editor->setFocus();
        }
    });
    connect(action(QStringLiteral("apply")), &QAction::triggered, m_editor,
            &EditorPanel::applyCurrent);
    connect(action(QStringLiteral("resetLayout")), &QAction::triggered, this,
            &MainWindow::resetLayout);
    connect(action(QStringLiteral("about")), &QAction::triggered, this, &MainWindow::showAbout);
    connect(action(QStringLiteral("quit")), &QAction::triggered, this, &QWidget::close);
}

QAction *MainWindow::action(const QString &name) const
{
    return findChild<QAction *>(name, Qt::FindDirectChildrenOnly);
}

void MainWindow::createMenus()
{
    QMenu *lab = menuBar()->addMenu(tr("&Lab"));
    lab->addAction(action(QStringLiteral("runCommand")));
    lab->addAction(action(QStringLiteral("check")));
    lab->addSeparator();
    lab->addAction(action(QStringLiteral("previousStep")));
    lab->addAction(action(QStringLiteral("nextStep")));
    lab->addSeparator();
    lab->addAction(action(QStringLiteral("apply")));
    lab->addSeparator();
    lab->addAction(action(QStringLiteral("quit")));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(QStringLiteral("focusGuide")));
    view->addAction(action(QStringLiteral("focusTerminal")));
    view->addAction(action(QStringLiteral("focusEditor")));
    view->addSeparator();
    for (QDockWidget *dock :
         {m_guideDock, m_terminalDock, m_editorDock, m_inspectorDock, m_timelineDock}) {
        view->addAction(dock->toggleViewAction());
    }
    view->addSeparator();
    view->addAction(action(QStringLiteral("resetLayout")));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(QStringLiteral("about")));
}

void MainWindow::connectBridge()
{
    connect(m_guide, &GuidePanel::runRequested, this, [this](const QString &line) {
        m_terminalDock->show();
        m_terminalDock->raise();
        m_terminal->runLine(line);
        m_terminal->setFocus();
    });
    connect(m_guide, &GuidePanel::viewedStepChanged, this, [](int step) {
        QSettings().setValue(QStringLiteral("lab/lastStep"), step);
    });
    connect(m_terminal, &TerminalWidget::openEditorRequested, this, [this](const QString &path) {
        m_editorDock->show();
        m_editorDock->raise();
        m_editor->openFile(path);
    });
    connect(m_editor, &EditorPanel::applied, this,
            [this](const core::lab::events::Applied &event) { m_terminal->printApplied(event); });
    connect(&m_bridge, &SessionBridge::labOpened, this,
            [this](const core::lab::events::LabOpened &) { updateTitle(); });
    connect(&m_bridge, &SessionBridge::progressChanged, this,
            [this](const core::lab::events::ProgressChanged &event) {
                m_statusProgress->setText(tr("%1 of %2 steps passed (%3%)")
                                              .arg(event.progress.stepsPassed)
                                              .arg(event.progress.stepCount)
                                              .arg(event.progress.percent));
            });
    connect(&m_bridge, &SessionBridge::openFailed, this,
            [this](const core::lab::events::OpenFailed &event) {
                statusBar()->showMessage(
                    tr("The lab could not be opened: %1").arg(QString::fromStdString(event.message)));
            });
    connect(&m_bridge, &SessionBridge::labLocked, this,
            [this](const core::lab::events::LabLocked &event) {
                statusBar()->showMessage(tr("The lab %1 is open in another Meshcraft session.")
                                             .arg(QString::fromStdString(event.labId)));
            });
}

void MainWindow::openLab(const QString &labIdOrPath)
{
    m_bridge.open(labIdOrPath);
}

void MainWindow::updateTitle()
{
    const auto definition = m_bridge.definition();
    m_labTitle = definition ? QString::fromStdString(definition->title) : QString();
    setWindowTitle(m_labTitle.isEmpty() ? tr("Meshcraft") : tr("%1 — Meshcraft").arg(m_labTitle));
}

void MainWindow::resetLayout()
{
    // Sizes from the font, so the split suits 1366×768 as well as a 4K screen.
    const int em = fontMetrics().averageCharWidth();
    const int side = qBound(em * 36, width() * 27 / 100, em * 70);
    const int right = qBound(em * 44, width() * 33 / 100, em * 90);
    for (QDockWidget *dock :
         {m_guideDock, m_terminalDock, m_editorDock, m_inspectorDock, m_timelineDock}) {
        dock->setFloating(false);
        dock->show();
    }
    resizeDocks({m_guideDock, m_editorDock}, {side, right}, Qt::Horizontal);
    resizeDocks({m_terminalDock}, {height() * 40 / 100}, Qt::Vertical);
    m_editorDock->raise();
    m_terminalDock->raise();
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) {
        resize(1280, 720);
    }
    m_stateRestored = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_restoredStep = settings.value(QStringLiteral("lab/lastStep"), 0).toInt();
    m_guide->setInitialStep(m_restoredStep);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (!m_bridge.labId().isEmpty()) {
        settings.setValue(QStringLiteral("lab/last"), m_bridge.labId());
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_shownOnce && !m_stateRestored) {
        // The dock sizes follow the window's real size, known only now.
        QTimer::singleShot(0, this, &MainWindow::resetLayout);
    }
    m_shownOnce = true;
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange
        || event->type() == QEvent::ApplicationPaletteChange) {
        applyTheme();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::applyTheme()
{
    m_darkTheme = theme::isDark(palette());
    m_guide->setDark(m_darkTheme);
    m_editor->setDark(m_darkTheme);
}

void MainWindow::activateFromOtherInstance()
{
    if (isMinimized()) {
        showNormal();
    }
    show();
    raise();
    activateWindow();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Meshcraft"),
        tr("<h3>Meshcraft %1</h3>"
           "<p>A desktop simulator for hands-on service-mesh workshops.</p>"
           "<p>This program is free software: you can redistribute it and/or modify it under the "
           "terms of the GNU General Public License as published by the Free Software "
           "Foundation, either version 3 of the License, or (at your option) any later version "
           "(GPL-3.0-or-later).</p>"
           "<p>It is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY; "
           "without even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR "
           "PURPOSE. See the GNU General Public License for more details.</p>"
           "<p>Istio's files in the labs keep their own licence (Apache-2.0).</p>")
            .arg(QString::fromUtf8(core::common::Version)));
}

} // namespace meshcraft::app
