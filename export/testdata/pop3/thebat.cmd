@echo off
chcp 65001 >nul
rem mailwiz: почтовый ящик The Bat! boris+news@почта.рф
rem Создаёт ящик командой The Bat! /ADD, затем показывает шаги для того, что /ADD задать не может. Пароля в этом файле нет.
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
start "" "%TB%" /ADDUser="boris+news@почта.рф";InServer="pop.xn--80a1acny.xn--p1ai";OutServer="smtp.xn--80a1acny.xn--p1ai";InUser="boris";KeepDays=14;FromAddr="boris+news@xn--80a1acny.xn--p1ai";FromName="Борис Петров"
echo(The Bat! добавляет ящик командой /ADD, которая не может задать порты, шифрование и аутентификацию SMTP. Когда программа откроется, задайте их так:
goto sheet
:notfound
echo(The Bat! не найден ^(ни в Program Files, ни в папке программ пользователя, ни рядом с этим файлом^). Для переносной версии положите этот файл рядом с thebat64.exe и запустите его снова; или откройте The Bat! и добавьте ящик вручную ^(«Ящик › Новый почтовый ящик»^) с этими настройками:
:sheet
echo(
echo(The Bat!: завершите настройку ящика boris+news@почта.рф
echo(
echo(Ящик › Свойства почтового ящика… › Транспорт
echo(  Отправка почты: Сервер smtp.xn--80a1acny.xn--p1ai, Порт 465, Соединение: Безопасное на спец. порт ^(TLS^)
echo(  Отправка почты › Аутентификация…:
echo(    - отметьте «Аутентификация SMTP ^(RFC-2554^)»
echo(    - выберите «Использовать параметры получения почты ^(POP3/IMAP^)»
echo(  Получение почты: Протокол POP3, Сервер pop.xn--80a1acny.xn--p1ai, Порт 995, Соединение: Безопасное на спец. порт ^(TLS^), Пользователь boris
echo(
echo(Ящик › Свойства почтового ящика… › Управление почтой: хранить копии на сервере 14 дн.
echo(
echo(Пароля в этом файле нет: The Bat! спросит его при первом подключении.
echo(
pause
