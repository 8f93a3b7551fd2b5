package export

import (
	"fmt"

	"github.com/mailwiz/mailwiz/account"
)

// texts holds every sentence the exports show people, in one language. The
// mail clients' own labels are quoted as those clients show them (The Bat!
// and Thunderbird in English or Russian), so a person can find them.
type texts struct {
	// Settings table (the users' guide words).
	Settings, Incoming, Outgoing, Server, Port, Encryption, Username, Password, Auth string
	PasswordValue                                                                    string
	SecSSL, SecSTARTTLS, SecNone                                                     string
	AuthPassword, AuthEncrypted, AuthOAuth2, AuthNone, AuthClientIP, AuthCert        string
	LeaveOn, LeaveOff, LeaveDays                                                     string
	Title, Account, Name, Before, Limits, Steps, Generated                           string
	MaxMessage, MaxRecipients, SendPerDay, IMAPConns                                 string

	// Warnings. %[1]s is the provider, %[2]s the client.
	OAuth2NoClient string
	OAuth2Sheet    string
	Plaintext      string
	NoPassword     string

	// Steps per client (the sheet and the files' own instructions).
	StepThunderbird, StepTheBat, StepApple, StepOutlook, StepPhones           string
	ClientThunderbird, ClientTheBat, ClientApple, ClientOutlook, ClientPhones string

	// Thunderbird profile ZIP.
	TBProfileSteps string
	// The Bat! step sheet.
	BatTitle, BatAfterAdd, BatTransport, BatSending, BatReceiving, BatConnection string
	BatAuthButton, BatSMTPAuth, BatUseReceive, BatSecureAuthOff, BatPOPLeave     string
	BatNotFound, BatPress                                                        string
	BatConnRegular, BatConnTLS, BatConnSTARTTLS                                  string
	// Outlook ZIP readme.
	OutlookReadme, OutlookDone string
	// Apple.
	AppleDescription string
}

var textsByLang = map[string]*texts{"en": &en, "ru": &ru}

func textsFor(lang string) *texts {
	if t, ok := textsByLang[lang]; ok {
		return t
	}
	return &en
}

var en = texts{
	Settings: "Settings", Incoming: "Incoming mail", Outgoing: "Outgoing mail (SMTP)",
	Server: "Server", Port: "Port", Encryption: "Encryption", Username: "Username",
	Password: "Password", Auth: "Authentication",
	PasswordValue: "your mailbox password (or the app password the provider asks for)",
	SecSSL:        "SSL/TLS", SecSTARTTLS: "STARTTLS", SecNone: "None (unencrypted)",
	AuthPassword: "Normal password", AuthEncrypted: "Encrypted password", AuthOAuth2: "OAuth2 (sign in in the browser)",
	AuthNone: "None", AuthClientIP: "None (the server trusts your network)", AuthCert: "TLS client certificate",
	LeaveOn: "keep a copy of messages on the server", LeaveOff: "delete messages from the server after downloading",
	LeaveDays: "keep a copy on the server for %d days",
	Title:     "Mail settings for %s", Account: "Account", Name: "Name",
	Before: "Before you start", Limits: "Limits", Steps: "Set up your mail program",
	Generated:  "Made by mailwiz. No password is written on this page.",
	MaxMessage: "Messages up to %d MB", MaxRecipients: "Up to %d recipients per message",
	SendPerDay: "Up to %d messages per day", IMAPConns: "Up to %d IMAP connections at once",

	OAuth2NoClient: "%[1]s accepts only a browser sign-in (OAuth2) from mail programs: a password, even an app password, is refused. %[2]s cannot be given OAuth2 by this file, so the account will not log in. Add it with %[2]s's own account wizard, which offers %[1]s's sign-in, or use Thunderbird.",
	OAuth2Sheet:    "%[1]s accepts only a browser sign-in (OAuth2): choose OAuth2 in your mail program; a password is refused. Thunderbird and Thunderbird for Android do this; The Bat!, Apple Mail profiles and classic Outlook files cannot.",
	Plaintext:      "Warning: this setup sends your password over the network unencrypted. Use it only if your provider offers nothing better.",
	NoPassword:     "No password is stored in this file: the program asks for it the first time it connects.",

	ClientThunderbird: "Thunderbird", ClientTheBat: "The Bat!", ClientApple: "Apple Mail (Mac, iPhone, iPad)",
	ClientOutlook: "Outlook (Windows)", ClientPhones: "Phones",
	StepThunderbird: "Tools › Import… › Import from a file › Import Backed-up Profile, choose the thunderbird-profile ZIP, then restart Thunderbird. By hand: Account Settings › Account Actions › Add Mail Account…, type your name, address and password, click Configure manually and enter the settings above.",
	StepTheBat:      "Run the thebat .cmd file, then finish in Mailbox › Mailbox Properties… › Transport as its sheet says. By hand: Mailbox › New Mailbox…, type your name, address and password, choose IMAP or POP, and enter the server, port and Connection (Secure to dedicated port (TLS) for SSL/TLS, Secure on standard port (STARTTLS) for STARTTLS); tick My SMTP server requires authentication.",
	StepApple:       "Open the .mobileconfig file. Mac: approve it in System Settings › Privacy & Security › Profiles. iPhone or iPad: Settings › Profile Downloaded › Install, within 8 minutes. The device asks for your password.",
	StepOutlook:     "Classic Outlook: unzip the outlook ZIP, run install.cmd, then File › Add Account, type your address and click Connect. New Outlook: Settings › Accounts › Add account, choose IMAP or POP in Advanced settings and enter the settings above.",
	StepPhones:      "Thunderbird for Android: Settings › Import settings › Scan QR code, and scan the android QR code. Other apps: add an Other (IMAP or POP) account by hand with the settings above.",

	TBProfileSteps: "To add this account to an existing Thunderbird: Tools › Import… › Import from a file › Import Backed-up Profile, choose this ZIP file, click Continue, then restart Thunderbird. The import renumbers the account and adds it next to your other accounts; Thunderbird asks for the password on first use.",

	BatTitle:         "The Bat!: finish the mailbox %s",
	BatAfterAdd:      "The Bat! is adding the mailbox with /ADD, which cannot set ports, encryption or SMTP authentication. Set them as follows once it opens:",
	BatTransport:     "Mailbox › Mailbox Properties… › Transport",
	BatSending:       "Sending mail: Server %s, Port %d, Connection: %s",
	BatReceiving:     "Receiving mail: Protocol %s, Server %s, Port %d, Connection: %s, User %s",
	BatConnection:    "Connection",
	BatAuthButton:    "Sending mail › Authentication…:",
	BatSMTPAuth:      "tick SMTP Authentication (RFC-2554)",
	BatUseReceive:    "choose Use Mail Receive Options (POP3/IMAP)",
	BatSecureAuthOff: "leave Require secure authentication off",
	BatPOPLeave:      "Mailbox › Mailbox Properties… › Management: %s",
	BatNotFound:      "The Bat! was not found in Program Files. Start The Bat! and add the mailbox by hand with these settings:",
	BatPress:         "The password is not in this file: The Bat! asks for it when it first connects.",
	BatConnRegular:   "Regular", BatConnTLS: "Secure to dedicated port (TLS)", BatConnSTARTTLS: "Secure on standard port (STARTTLS)",

	OutlookReadme: "Classic Outlook for Windows (Outlook 2016, 2019, 2021, Microsoft 365):\r\n1. Unzip this folder.\r\n2. Double-click install.cmd. It copies %[1]s to %%PUBLIC%%\\mailwiz and tells Outlook to read it (PreferLocalXML).\r\n   Or by hand: copy %[1]s to C:\\Users\\Public\\mailwiz\\ and double-click %[2]s.\r\n3. In Outlook: File › Add Account, type %[3]s and click Connect. Outlook asks for the password.\r\nNew Outlook and Windows Mail do not read these files: add the account by hand (IMAP or POP) with the same settings.\r\n",

	OutlookDone: "Done. In Outlook: File › Add Account, type %s and click Connect. Outlook asks for the password.",

	AppleDescription: "Mail account %s. The device asks for the password when you install the profile.",
}

var ru = texts{
	Settings: "Параметры", Incoming: "Входящая почта", Outgoing: "Исходящая почта (SMTP)",
	Server: "Сервер", Port: "Порт", Encryption: "Шифрование", Username: "Имя пользователя",
	Password: "Пароль", Auth: "Аутентификация",
	PasswordValue: "пароль от почтового ящика (или пароль для внешнего приложения, если провайдер его требует)",
	SecSSL:        "SSL/TLS", SecSTARTTLS: "STARTTLS", SecNone: "Нет (без шифрования)",
	AuthPassword: "Обычный пароль", AuthEncrypted: "Зашифрованный пароль", AuthOAuth2: "OAuth2 (вход через браузер)",
	AuthNone: "Нет", AuthClientIP: "Нет (сервер доверяет вашей сети)", AuthCert: "Клиентский сертификат TLS",
	LeaveOn: "оставлять копии писем на сервере", LeaveOff: "удалять письма с сервера после загрузки",
	LeaveDays: "хранить копии на сервере %d дн.",
	Title:     "Настройки почты для %s", Account: "Учётная запись", Name: "Имя",
	Before: "Прежде чем начать", Limits: "Ограничения", Steps: "Настройка почтовой программы",
	Generated:  "Создано mailwiz. Пароль на этой странице не записан.",
	MaxMessage: "Письма до %d МБ", MaxRecipients: "До %d получателей в письме",
	SendPerDay: "До %d писем в сутки", IMAPConns: "До %d одновременных подключений IMAP",

	OAuth2NoClient: "%[1]s принимает от почтовых программ только вход через браузер (OAuth2): пароль, даже пароль для приложения, будет отклонён. Этот файл не может включить OAuth2 в %[2]s, поэтому вход не получится. Добавьте ящик мастером самой программы %[2]s, где есть вход через %[1]s, или используйте Thunderbird.",
	OAuth2Sheet:    "%[1]s принимает только вход через браузер (OAuth2): выберите OAuth2 в почтовой программе, пароль будет отклонён. Это умеют Thunderbird и Thunderbird для Android; профили Apple Mail, The Bat! и файлы для классического Outlook — нет.",
	Plaintext:      "Внимание: при этих настройках пароль передаётся по сети без шифрования. Используйте их, только если провайдер не предлагает ничего лучше.",
	NoPassword:     "Пароль в этом файле не хранится: программа спросит его при первом подключении.",

	ClientThunderbird: "Thunderbird", ClientTheBat: "The Bat!", ClientApple: "Apple Mail (Mac, iPhone, iPad)",
	ClientOutlook: "Outlook (Windows)", ClientPhones: "Телефоны",
	StepThunderbird: "Инструменты › Импорт… › Импорт из файла › Импорт резервной копии профиля, выберите ZIP thunderbird-profile и перезапустите Thunderbird. Вручную: Параметры учётной записи › Действия для учётной записи › Добавить учётную запись почты…, введите имя, адрес и пароль, нажмите «Настроить вручную» и введите параметры из таблицы.",
	StepTheBat:      "Запустите .cmd-файл для The Bat!, затем закончите настройку в Ящик › Свойства почтового ящика… › Транспорт, как сказано в нём. Вручную: Ящик › Новый почтовый ящик…, введите имя, адрес и пароль, выберите IMAP или POP, укажите сервер, порт и соединение («Безопасное на спец. порт (TLS)» для SSL/TLS, «Безопасное на стандартный порт (STARTTLS)» для STARTTLS); отметьте «Мой сервер SMTP требует аутентификации».",
	StepApple:       "Откройте файл .mobileconfig. Mac: подтвердите его в Системных настройках › Конфиденциальность и безопасность › Профили. iPhone или iPad: Настройки › Профиль загружен › Установить, в течение 8 минут. Устройство спросит пароль.",
	StepOutlook:     "Классический Outlook: распакуйте ZIP для Outlook, запустите install.cmd, затем Файл › Добавить учётную запись, введите адрес и нажмите «Подключить». Новый Outlook: Параметры › Учётные записи › Добавить учётную запись, в дополнительных параметрах выберите IMAP или POP и введите параметры из таблицы.",
	StepPhones:      "Thunderbird для Android: Настройки › Импорт настроек › Сканировать QR-код, отсканируйте QR-код для Android. Другие приложения: добавьте учётную запись «Другое» (IMAP или POP) вручную с параметрами из таблицы.",

	TBProfileSteps: "Чтобы добавить этот ящик в уже настроенный Thunderbird: Инструменты › Импорт… › Импорт из файла › Импорт резервной копии профиля, выберите этот ZIP-файл, нажмите «Продолжить» и перезапустите Thunderbird. Импорт перенумерует учётную запись и добавит её к остальным; пароль Thunderbird спросит при первом подключении.",

	BatTitle:         "The Bat!: завершите настройку ящика %s",
	BatAfterAdd:      "The Bat! добавляет ящик командой /ADD, которая не может задать порты, шифрование и аутентификацию SMTP. Когда программа откроется, задайте их так:",
	BatTransport:     "Ящик › Свойства почтового ящика… › Транспорт",
	BatSending:       "Отправка почты: Сервер %s, Порт %d, Соединение: %s",
	BatReceiving:     "Получение почты: Протокол %s, Сервер %s, Порт %d, Соединение: %s, Пользователь %s",
	BatConnection:    "Соединение",
	BatAuthButton:    "Отправка почты › Аутентификация…:",
	BatSMTPAuth:      "отметьте «Аутентификация SMTP (RFC-2554)»",
	BatUseReceive:    "выберите «Использовать параметры получения почты (POP3/IMAP)»",
	BatSecureAuthOff: "не отмечайте «Требовать безопасную аутентификацию»",
	BatPOPLeave:      "Ящик › Свойства почтового ящика… › Управление почтой: %s",
	BatNotFound:      "The Bat! не найден в Program Files. Запустите The Bat! и добавьте ящик вручную с этими параметрами:",
	BatPress:         "Пароля в этом файле нет: The Bat! спросит его при первом подключении.",
	BatConnRegular:   "Обычное", BatConnTLS: "Безопасное на спец. порт (TLS)", BatConnSTARTTLS: "Безопасное на стандартный порт (STARTTLS)",

	OutlookReadme: "Классический Outlook для Windows (Outlook 2016, 2019, 2021, Microsoft 365):\r\n1. Распакуйте эту папку.\r\n2. Запустите install.cmd. Он скопирует %[1]s в %%PUBLIC%%\\mailwiz и укажет Outlook читать его (PreferLocalXML).\r\n   Или вручную: скопируйте %[1]s в C:\\Users\\Public\\mailwiz\\ и откройте %[2]s.\r\n3. В Outlook: Файл › Добавить учётную запись, введите %[3]s и нажмите «Подключить». Outlook спросит пароль.\r\nНовый Outlook и «Почта Windows» эти файлы не читают: добавьте ящик вручную (IMAP или POP) с теми же параметрами.\r\n",

	OutlookDone: "Готово. В Outlook: Файл › Добавить учётную запись, введите %s и нажмите «Подключить». Outlook спросит пароль.",

	AppleDescription: "Почтовый ящик %s. Устройство спросит пароль при установке профиля.",
}

func (t *texts) security(s account.Security) string {
	switch s {
	case account.SSL:
		return t.SecSSL
	case account.STARTTLS:
		return t.SecSTARTTLS
	default:
		return t.SecNone
	}
}

func (t *texts) auth(a account.Auth) string {
	switch a {
	case account.AuthPasswordEncrypted:
		return t.AuthEncrypted
	case account.AuthOAuth2:
		return t.AuthOAuth2
	case account.AuthNone:
		return t.AuthNone
	case account.AuthClientIP:
		return t.AuthClientIP
	case account.AuthClientCert:
		return t.AuthCert
	default:
		return t.AuthPassword
	}
}

// batConnection is The Bat!'s Connection drop-down value for s.
func (t *texts) batConnection(s account.Security) string {
	switch s {
	case account.SSL:
		return t.BatConnTLS
	case account.STARTTLS:
		return t.BatConnSTARTTLS
	default:
		return t.BatConnRegular
	}
}

// leave describes the POP3 leave-on-server choice.
func (t *texts) leave(a Account) string {
	switch {
	case !a.LeaveOnServer:
		return t.LeaveOff
	case a.DaysOnServer > 0:
		return fmt.Sprintf(t.LeaveDays, a.DaysOnServer)
	default:
		return t.LeaveOn
	}
}

// warnings are the sentences every export that can show text carries:
// OAuth2 (for a client that cannot do it) and plaintext.
func (a Account) warnings(client string) []string {
	t := textsFor(a.Lang)
	var w []string
	if a.oauth2() && client != "" {
		w = append(w, fmt.Sprintf(t.OAuth2NoClient, a.providerName(), client))
	}
	if a.plaintext() {
		w = append(w, t.Plaintext)
	}
	return w
}
