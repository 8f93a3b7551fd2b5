; The Windows installer: per user, no administrator rights, into
; %LOCALAPPDATA%\Programs\mailwiz, a Start menu shortcut with the icon, and
; an uninstaller that keeps the saved accounts and their keychain items
; unless the person ticks the box. Built on Linux by make package-windows:
;   makensis -DVERSION=0.1.0 -DDIST=dist -DOUTFILE=... mailwiz.nsi
Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!include MUI2.nsh
!include LogicLib.nsh

!define APPNAME "Mail Setup Wizard"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\mailwiz"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\mailwiz"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APPNAME} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "mailwiz"
VIAddVersionKey /LANG=1033 "LegalCopyright" "mailwiz"

!define MUI_ICON "${DIST}/mailwiz.ico"
!define MUI_UNICON "${DIST}/mailwiz.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\mailwiz.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Russian"

LangString SecProgram ${LANG_ENGLISH} "Mail Setup Wizard"
LangString SecProgram ${LANG_RUSSIAN} "Мастер настройки почты"
LangString SecSaved ${LANG_ENGLISH} "Also forget the saved accounts and their passwords"
LangString SecSaved ${LANG_RUSSIAN} "Также удалить сохранённые ящики и их пароли"

Section "!$(SecProgram)" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "/oname=mailwiz.exe" "${DIST}/mailwiz-${VERSION}-windows-amd64.exe"
  File "/oname=mailwiz-cli.exe" "${DIST}/mailwiz-cli-${VERSION}-windows-amd64.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\mailwiz.exe" "" "$INSTDIR\mailwiz.exe" 0
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "mailwiz"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\mailwiz.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "un.$(SecProgram)" UnSecMain
  SectionIn RO
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$INSTDIR\mailwiz.exe"
  Delete "$INSTDIR\uninstall.exe"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd

; Off unless ticked. Each saved account is forgotten by mailwiz itself
; (mailwiz-cli forget: its keychain items, a sign-in's too, then its
; settings file), so nothing is left in Credential Manager.
Section /o "un.$(SecSaved)" UnSecSaved
  FindFirst $0 $1 "$APPDATA\mailwiz\accounts\*.json"
  ${DoWhile} $1 != ""
    StrCpy $2 $1 -5 ; the file name without ".json" is the address
    ExecWait '"$INSTDIR\mailwiz-cli.exe" forget "$2"'
    FindNext $0 $1
  ${Loop}
  FindClose $0
  RMDir /r "$APPDATA\mailwiz"
SectionEnd

Section "-un.cli"
  ; Last: the saved accounts' section above needs it.
  Delete "$INSTDIR\mailwiz-cli.exe"
  RMDir "$INSTDIR"
SectionEnd
