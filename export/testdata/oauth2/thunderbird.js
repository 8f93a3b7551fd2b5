// mailwiz: Thunderbird account carol@outlook.com
// Put this file, named user.js, in a new empty Thunderbird profile folder and start Thunderbird once. Then delete it: Thunderbird applies user.js at every start.
// For a profile that already has accounts, use the thunderbird-profile export.
// No password is stored here: Thunderbird asks for it on first use.

user_pref("mail.accountmanager.accounts", "account1");
user_pref("mail.accountmanager.defaultaccount", "account1");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.account.account1.identities", "id1");
user_pref("mail.server.server1.type", "imap");
user_pref("mail.server.server1.name", "carol@outlook.com");
user_pref("mail.server.server1.hostname", "outlook.office365.com");
user_pref("mail.server.server1.port", 993);
user_pref("mail.server.server1.socketType", 3);
user_pref("mail.server.server1.authMethod", 10);
user_pref("mail.server.server1.userName", "carol@outlook.com");
user_pref("mail.identity.id1.fullName", "Carol");
user_pref("mail.identity.id1.useremail", "carol@outlook.com");
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.valid", true);
user_pref("mail.smtpservers", "smtp1");
user_pref("mail.smtp.defaultserver", "smtp1");
user_pref("mail.smtpserver.smtp1.type", "smtp");
user_pref("mail.smtpserver.smtp1.description", "Outlook.com");
user_pref("mail.smtpserver.smtp1.hostname", "smtp-mail.outlook.com");
user_pref("mail.smtpserver.smtp1.port", 587);
user_pref("mail.smtpserver.smtp1.try_ssl", 2);
user_pref("mail.smtpserver.smtp1.authMethod", 10);
user_pref("mail.smtpserver.smtp1.username", "carol@outlook.com");
