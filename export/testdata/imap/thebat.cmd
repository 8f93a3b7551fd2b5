@echo off
chcp 65001 >nul
rem mailwiz: The Bat! mailbox alice@example.com
rem Creates the mailbox with The Bat!'s /ADD command, then shows the steps for what /ADD cannot set. No password is in this file.
setlocal DisableDelayedExpansion
set "TB="
if not defined TB if exist "%~dp0thebat64.exe" set "TB=%~dp0thebat64.exe"
if not defined TB if exist "%~dp0thebat32.exe" set "TB=%~dp0thebat32.exe"
if not defined TB if exist "%~dp0thebat.exe" set "TB=%~dp0thebat.exe"
if not defined TB if exist "%ProgramFiles%\The Bat!\thebat64.exe" set "TB=%ProgramFiles%\The Bat!\thebat64.exe"
if not defined TB if exist "%ProgramFiles%\The Bat!\thebat32.exe" set "TB=%ProgramFiles%\The Bat!\thebat32.exe"
if not defined TB if exist "%ProgramFiles%\The Bat!\thebat.exe" set "TB=%ProgramFiles%\The Bat!\thebat.exe"
if not defined TB if exist "%ProgramFiles(x86)%\The Bat!\thebat64.exe" set "TB=%ProgramFiles(x86)%\The Bat!\thebat64.exe"
if not defined TB if exist "%ProgramFiles(x86)%\The Bat!\thebat32.exe" set "TB=%ProgramFiles(x86)%\The Bat!\thebat32.exe"
if not defined TB if exist "%ProgramFiles(x86)%\The Bat!\thebat.exe" set "TB=%ProgramFiles(x86)%\The Bat!\thebat.exe"
if not defined TB if exist "%LOCALAPPDATA%\Programs\The Bat!\thebat64.exe" set "TB=%LOCALAPPDATA%\Programs\The Bat!\thebat64.exe"
if not defined TB if exist "%LOCALAPPDATA%\Programs\The Bat!\thebat32.exe" set "TB=%LOCALAPPDATA%\Programs\The Bat!\thebat32.exe"
if not defined TB if exist "%LOCALAPPDATA%\Programs\The Bat!\thebat.exe" set "TB=%LOCALAPPDATA%\Programs\The Bat!\thebat.exe"
if not defined TB goto notfound
start "" "%TB%" /ADDUser="alice@example.com";InServer="imap.example.com";OutServer="smtp.example.com";InUser="alice@example.com";IMAP;FromAddr="alice@example.com";FromName="Alice Example"
echo(The Bat! is adding the mailbox with /ADD, which cannot set ports, encryption or SMTP authentication. Set them as follows once it opens:
goto sheet
:notfound
echo(The Bat! was not found ^(Program Files, your programs folder, or beside this file^). For a portable The Bat!, put this file next to thebat64.exe and run it again; or start The Bat! and add the mailbox by hand ^(Mailbox › New mailbox^) with these settings:
:sheet
echo(
echo(The Bat!: finish the mailbox alice@example.com
echo(
echo(Mailbox › Mailbox Properties… › Transport
echo(  Sending mail: Server smtp.example.com, Port 587, Connection: Secure on standard port ^(STARTTLS^)
echo(  Sending mail › Authentication…:
echo(    - tick SMTP Authentication ^(RFC-2554^)
echo(    - choose Use Mail Receive Options ^(POP3/IMAP^)
echo(    - leave Require secure authentication off
echo(  Receiving mail: Protocol IMAP4, Server imap.example.com, Port 993, Connection: Secure to dedicated port ^(TLS^), User alice@example.com
echo(
echo(The password is not in this file: The Bat! asks for it when it first connects.
echo(
pause
