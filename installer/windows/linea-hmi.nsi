; Linea HMI for Windows: the one-folder bundle (installer/linea-hmi.spec built on Windows)
; into Program Files, Start-menu entries, an uninstaller that keeps the plant's data
; unless asked, and the kiosk as an optional section.
;   makensis /DVERSION=0.1.0 /DBUNDLE=..\..\build\installer\dist\linea-hmi linea-hmi.nsi
Unicode true
!include "MUI2.nsh"
!include "FileFunc.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\..\build\installer\dist\linea-hmi"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\build\installer\linea-hmi-${VERSION}-setup.exe"
!endif
!define APP "Linea HMI"
!define KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\LineaHMI"
!define RUN "Software\Microsoft\Windows\CurrentVersion\Run"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "${KEY}" "InstallLocation"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
Var Project  ; the kiosk's project folder: /PROJECT=folder on the command line, else the demo

!define MUI_ICON "${NSISDIR}\Contrib\Graphics\Icons\modern-install.ico"
!define MUI_UNICON "${NSISDIR}\Contrib\Graphics\Icons\modern-uninstall.ico"
!define MUI_COMPONENTSPAGE_SMALLDESC
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Italian"

Function .onInit
  ${GetParameters} $0
  ${GetOptions} $0 "/PROJECT=" $Project
  ${If} $Project == ""
    StrCpy $Project "$INSTDIR\_internal\resources\demo"
  ${EndIf}
FunctionEnd

Section "Linea HMI" SecMain
  SectionIn RO
  SetShellVarContext all
  ; an upgrade replaces the program; the data in each user's %LOCALAPPDATA% is not here
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP} demo.lnk" "$INSTDIR\hmi.exe" "demo"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP} self-test.lnk" "$SYSDIR\cmd.exe" \
    '/k ""$INSTDIR\hmi.exe" --self-test"'
  CreateShortcut "$SMPROGRAMS\${APP}\${APP} folders.lnk" "$SYSDIR\cmd.exe" \
    '/k ""$INSTDIR\hmi.exe" paths"'
  CreateShortcut "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk" "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${KEY}" "Publisher" "Linea HMI"
  WriteRegStr HKLM "${KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${KEY}" "EstimatedSize" $0
SectionEnd

Section /o "Kiosk: start full screen at sign-in" SecKiosk
  ; every user's sign-in starts the project on the touch profile; a second start only
  ; brings the running window to the front
  WriteRegStr HKLM "${RUN}" "LineaHMIKiosk" '"$INSTDIR\hmi.exe" run "$Project" --profile touch'
  ; the screen never blanks and the PC never sleeps while on mains power
  nsExec::Exec 'powercfg /change monitor-timeout-ac 0'
  nsExec::Exec 'powercfg /change standby-timeout-ac 0'
  WriteRegStr HKLM "${KEY}" "Kiosk" "$Project"
SectionEnd

LangString DESC_Main ${LANG_ENGLISH} "The program, its Start-menu entries and its uninstaller."
LangString DESC_Main ${LANG_ITALIAN} "Il programma, le voci nel menu Start e il programma di disinstallazione."
LangString DESC_Kiosk ${LANG_ENGLISH} "Start the project full screen at every sign-in (/PROJECT=folder; default: the demo), screen never blanks."
LangString DESC_Kiosk ${LANG_ITALIAN} "Avvia il progetto a schermo intero a ogni accesso (/PROJECT=cartella; predefinito: la demo), schermo sempre acceso."
!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecMain} $(DESC_Main)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecKiosk} $(DESC_Kiosk)
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "un.Linea HMI" UnSecMain
  SectionIn RO
  SetShellVarContext all
  DeleteRegValue HKLM "${RUN}" "LineaHMIKiosk"
  RMDir /r "$SMPROGRAMS\${APP}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\hmi.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${KEY}"
SectionEnd

; off unless ticked: the store (counts, orders, audit trail), logs and certificates are
; the plant's records and outlive the program
Section /o "un.Also delete my data, logs and certificates" UnSecData
  SetShellVarContext current
  RMDir /r "$LOCALAPPDATA\linea-hmi"
SectionEnd
