// mailwiz: Thunderbird account boris+news@xn--80a1acny.xn--p1ai
// Put this file, named user.js, in a new empty Thunderbird profile folder and start
// Thunderbird once. Then delete it: Thunderbird applies user.js at every start.
// For a profile that already has accounts, use the thunderbird-profile export.
// No password is stored here: Thunderbird asks for it on first use.

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
