// mailwiz: учётная запись Thunderbird boris+news@xn--80a1acny.xn--p1ai
// Положите этот файл под именем user.js в новую пустую папку профиля Thunderbird и один раз запустите Thunderbird. Потом удалите файл: Thunderbird применяет user.js при каждом запуске.
// Для профиля, в котором уже есть учётные записи, используйте экспорт thunderbird-profile.
// Пароля здесь нет: Thunderbird спросит его при первом обращении к почте.

user_pref("mail.accountmanager.accounts", "account1");
user_pref("mail.accountmanager.defaultaccount", "account1");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.account.account1.identities", "id1");
user_pref("mail.server.server1.type", "pop3");
user_pref("mail.server.server1.name", "boris+news@xn--80a1acny.xn--p1ai");
user_pref("mail.server.server1.hostname", "pop.xn--80a1acny.xn--p1ai");
user_pref("mail.server.server1.port", 995);
user_pref("mail.server.server1.socketType", 3);
user_pref("mail.server.server1.authMethod", 3);
user_pref("mail.server.server1.userName", "boris");
user_pref("mail.server.server1.leave_on_server", true);
user_pref("mail.server.server1.delete_by_age_from_server", true);
user_pref("mail.server.server1.num_days_to_leave_on_server", 14);
user_pref("mail.identity.id1.fullName", "Борис Петров");
user_pref("mail.identity.id1.useremail", "boris+news@xn--80a1acny.xn--p1ai");
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.valid", true);
user_pref("mail.smtpservers", "smtp1");
user_pref("mail.smtp.defaultserver", "smtp1");
user_pref("mail.smtpserver.smtp1.type", "smtp");
user_pref("mail.smtpserver.smtp1.description", "почта.рф");
user_pref("mail.smtpserver.smtp1.hostname", "smtp.xn--80a1acny.xn--p1ai");
user_pref("mail.smtpserver.smtp1.port", 465);
user_pref("mail.smtpserver.smtp1.try_ssl", 3);
user_pref("mail.smtpserver.smtp1.authMethod", 4);
user_pref("mail.smtpserver.smtp1.username", "boris");
