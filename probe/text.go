package probe

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mailwiz/mailwiz/account"
)

// texts: for each kind, what happened and what to do, in English and
// Russian. %[1]s is the host, %[2]d the port, %[3]s the protocol's name.
var texts = map[Kind][2]string{
	KindDNSFailed: {
		"The name %[1]s could not be found. Check the server name for typos; if it is right, check that this computer is online.",
		"Имя %[1]s не найдено. Проверьте, нет ли опечатки в имени сервера; если оно верное, проверьте подключение к интернету.",
	},
	KindRefused: {
		"%[1]s refused the connection on port %[2]d: nothing answers there. Check the port, or the security setting it belongs to (SSL or STARTTLS).",
		"%[1]s отклонил подключение к порту %[2]d: там никто не отвечает. Проверьте порт и соответствующий ему тип защиты (SSL или STARTTLS).",
	},
	KindTimeout: {
		"%[1]s did not answer in time on port %[2]d. A firewall may be dropping the connection, or the server is overloaded: check the port and try again later.",
		"%[1]s не ответил вовремя на порту %[2]d. Возможно, соединение блокирует брандмауэр или сервер перегружен: проверьте порт и повторите позже.",
	},
	KindTLSUntrusted: {
		"The certificate of %[1]s is not signed by an authority this computer trusts, so the connection could be intercepted. Do not continue unless your administrator confirms the certificate.",
		"Сертификат %[1]s подписан центром, которому этот компьютер не доверяет: соединение может быть перехвачено. Не продолжайте, пока администратор не подтвердит сертификат.",
	},
	KindTLSHostnameMismatch: {
		"The certificate presented on %[1]s belongs to a different name. Use the server name the certificate is for (your provider's help page lists it).",
		"Сертификат сервера %[1]s выписан на другое имя. Укажите имя сервера, для которого выписан сертификат (оно есть на странице помощи провайдера).",
	},
	KindTLSExpired: {
		"The certificate of %[1]s has expired (or the computer's clock is wrong). Check the date and time here; if they are right, tell the server's administrator.",
		"Срок действия сертификата %[1]s истёк (или на компьютере неверные дата и время). Проверьте часы; если они верны, сообщите администратору сервера.",
	},
	KindSTARTTLSUnavailable: {
		"%[1]s did not offer STARTTLS on port %[2]d, so the password was not sent. Something on the network may be removing it: use SSL (the implicit TLS port) instead.",
		"%[1]s не предложил STARTTLS на порту %[2]d, поэтому пароль не отправлен. Возможно, его вырезает кто-то в сети: используйте SSL (порт с TLS сразу).",
	},
	KindBadCredentials: {
		"%[1]s did not accept the user name or password. Check both (the user name is usually the full address).",
		"%[1]s не принял имя пользователя или пароль. Проверьте оба (обычно имя пользователя — полный адрес).",
	},
	KindAppPassword: {
		"Your provider requires an app password for mail programs: create one in your account's security settings and use it here instead of your usual password.",
		"Провайдер требует для почтовых программ пароль приложения: создайте его в настройках безопасности аккаунта и введите здесь вместо обычного пароля.",
	},
	KindEnableIMAP: {
		"IMAP access is switched off for this account: turn it on in your mailbox's settings on the web, then test again.",
		"Доступ по IMAP для этого ящика выключен: включите его в настройках почты на сайте и повторите проверку.",
	},
	KindEnablePOP: {
		"POP3 access is switched off for this account: turn it on in your mailbox's settings on the web, then test again.",
		"Доступ по POP3 для этого ящика выключен: включите его в настройках почты на сайте и повторите проверку.",
	},
	KindOAuth2Required: {
		"Your provider no longer accepts passwords from mail programs (basic authentication is off): use a program that signs in through the browser (OAuth2), or ask your administrator to allow it.",
		"Провайдер больше не принимает пароли от почтовых программ (базовая аутентификация выключена): используйте программу со входом через браузер (OAuth2) или попросите администратора разрешить вход.",
	},
	KindWebLogin: {
		"Your provider blocked this sign-in as unusual: sign in once in a web browser, confirm it was you, then test again.",
		"Провайдер заблокировал этот вход как подозрительный: войдите в почту через браузер, подтвердите, что это были вы, и повторите проверку.",
	},
	KindTooManyConnections: {
		"%[1]s has too many connections open for this account. Close other mail programs or devices using it, wait a few minutes, and test again.",
		"У %[1]s открыто слишком много подключений к этому ящику. Закройте другие почтовые программы и устройства, подождите несколько минут и повторите.",
	},
	KindPortBlocked: {
		"Port %[2]d on %[1]s did not answer: many internet providers block port 25. Use port 587 (STARTTLS) or 465 (SSL), or 2525 where your provider offers it.",
		"Порт %[2]d на %[1]s не ответил: многие интернет-провайдеры блокируют порт 25. Используйте порт 587 (STARTTLS) или 465 (SSL), либо 2525, если провайдер его предлагает.",
	},
	KindPlaintextRefused: {
		"The connection to %[1]s is not encrypted, so the password was not sent. Use SSL or STARTTLS; only allow plaintext on a network you fully trust.",
		"Соединение с %[1]s не зашифровано, поэтому пароль не отправлен. Используйте SSL или STARTTLS; разрешайте открытый пароль только в полностью доверенной сети.",
	},
	KindServerMisbehaving: {
		"%[1]s sent far more than a mail server ever sends (a line or a greeting without end), so mailwiz stopped listening. It may be broken, or not a mail server at all: check the server name and port.",
		"%[1]s прислал намного больше, чем когда-либо присылает почтовый сервер (строку или приветствие без конца), и mailwiz перестал его слушать. Возможно, он неисправен или это вовсе не почтовый сервер: проверьте имя сервера и порт.",
	},
	KindTLSTooOld: {
		"%[1]s offers only an outdated encryption (TLS 1.0 or 1.1) that mailwiz does not accept, because it can be broken. The server's administrator or your provider must switch on TLS 1.2 or newer.",
		"%[1]s предлагает только устаревшее шифрование (TLS 1.0 или 1.1), которое mailwiz не принимает: его можно взломать. Администратор сервера или провайдер должен включить TLS 1.2 или новее.",
	},
	KindServerError: {
		"%[1]s reported a problem (its own words are below). Try again later; if it persists, tell the provider what it said.",
		"%[1]s сообщил об ошибке (его слова приведены ниже). Повторите позже; если ошибка не исчезнет, сообщите провайдеру её текст.",
	},
}

// serverPlaintextText replaces the generic plaintext text when the server,
// not mailwiz, refused the password on a plain connection.
var serverPlaintextText = [2]string{
	"%[1]s accepts a password only over an encrypted connection: use STARTTLS on this port, or SSL.",
	"%[1]s принимает пароль только по зашифрованному соединению: включите STARTTLS на этом порту или используйте SSL.",
}

// notTLSText: SSL was chosen but the port answers without TLS.
var notTLSText = [2]string{
	"%[1]s does not speak TLS on port %[2]d from the start: this port wants STARTTLS (or is the wrong port). Choose STARTTLS here, or SSL on the provider's SSL port (993 IMAP, 995 POP3, 465 SMTP).",
	"%[1]s на порту %[2]d не начинает с TLS: этому порту нужен STARTTLS (или порт выбран неверно). Выберите STARTTLS или SSL на SSL-порту провайдера (993 IMAP, 995 POP3, 465 SMTP).",
}

// wantsTLSText: STARTTLS or plaintext was chosen on a port that starts
// with TLS, so the server waited for a TLS hello and never greeted.
var wantsTLSText = [2]string{
	"%[1]s said nothing on port %[2]d: this port expects TLS from the first byte. Choose SSL for this port.",
	"%[1]s ничего не ответил на порту %[2]d: этот порт ждёт TLS с первого байта. Выберите для него SSL.",
}

// untrustedFactText is KindTLSUntrusted's text without its advice, for a
// refused certificate whose fingerprint is known: trustText then states
// the condition (the administrator confirms it) once, and more exactly.
var untrustedFactText = [2]string{
	"The certificate of %[1]s is not signed by an authority this computer trusts, so the connection could be intercepted.",
	"Сертификат %[1]s подписан центром, которому этот компьютер не доверяет: соединение может быть перехвачено.",
}

// trustText follows a refused certificate's explanation: its fingerprint,
// and that it may be accepted once someone who runs the server has
// confirmed it (a self-hosted server or Proton Mail Bridge has a
// certificate of its own). %s is the fingerprint.
var trustText = [2]string{
	"Its SHA-256 fingerprint is %s. If the server's administrator confirms exactly this fingerprint (ask them yourself; do not go by a message telling you so), you may accept this certificate, and only this one, as an exception.",
	"Его отпечаток SHA-256: %s. Если администратор сервера подтвердит именно этот отпечаток (спросите его сами, не полагайтесь на присланное сообщение), этот сертификат, и только его, можно принять как исключение.",
}

// trustFlagText tells the command line's user how to accept the
// certificate; Report.View adds it, as only the CLI has flags. %s is the
// fingerprint.
var trustFlagText = [2]string{
	"To accept it after that check, run the test again with --trust-cert %s",
	"Чтобы принять его после такой проверки, повторите проверку с --trust-cert %s",
}

// alsoTexts add the likely real cause to a refused password.
var alsoTexts = map[Kind][2]string{
	KindAppPassword:    {"If you use two-step verification, this provider needs an app password instead of your usual one.", "Если включена двухэтапная проверка, этому провайдеру нужен пароль приложения вместо обычного."},
	KindEnableIMAP:     {"Also check that IMAP access is switched on in the mailbox's settings on the web.", "Проверьте также, что доступ по IMAP включён в настройках почты на сайте."},
	KindEnablePOP:      {"Also check that POP3 access is switched on in the mailbox's settings on the web.", "Проверьте также, что доступ по POP3 включён в настройках почты на сайте."},
	KindOAuth2Required: {"This provider may accept only browser sign-in (OAuth2) from mail programs.", "Этот провайдер может принимать от почтовых программ только вход через браузер (OAuth2)."},
}

func langIndex(lang string) int {
	if strings.HasPrefix(lang, "ru") {
		return 1
	}
	return 0
}

func explain(kind Kind, srv account.Server, lang string) string {
	t, ok := texts[kind]
	if !ok {
		t = texts[KindServerError]
	}
	return format(t[langIndex(lang)], srv)
}

// format fills in the host, port and protocol; texts without verbs stay as
// they are (fmt would otherwise append the unused arguments).
func format(t string, srv account.Server) string {
	if !strings.Contains(t, "%[") {
		return t
	}
	return fmt.Sprintf(t, srv.Host, srv.Port, strings.ToUpper(string(srv.Protocol)))
}

func alsoText(kind Kind, lang string) string {
	return alsoTexts[kind][langIndex(lang)]
}

// fallbackWorksText: the preferred server did not answer and an
// alternative logged in. %[1]d is the preferred's port, %[2]s the
// alternative ("smtp.gmail.com:587 STARTTLS").
var fallbackWorksText = [2]string{
	"Port %[1]d did not answer from your network; %[2]s works, so mailwiz uses it.",
	"Порт %[1]d не ответил из вашей сети; %[2]s работает, поэтому mailwiz использует его.",
}

// fallbackAnsweredText: the preferred server did not answer and an
// alternative answered but refused the login; what it said is the problem
// to fix.
var fallbackAnsweredText = [2]string{
	"Port %[1]d did not answer from your network; %[2]s answered, so mailwiz tested that one.",
	"Порт %[1]d не ответил из вашей сети; ответил %[2]s, поэтому mailwiz проверил его.",
}

// alsoSilentText follows the diagnosis when the alternatives did not
// answer either. %s lists them.
var alsoSilentText = [2]string{
	"mailwiz also tried %s: no answer there either, so this network probably blocks mail; try another network, or ask its administrator.",
	"mailwiz попробовал также %s: ответа нет и там, значит, эта сеть, вероятно, блокирует почту; попробуйте другую сеть или обратитесь к её администратору.",
}

// noEncryptionText names security "none" in a sentence.
var noEncryptionText = [2]string{"without encryption", "без шифрования"}

// stageLabels are the words a person reads for each stage, in English.
// They are also the keys of the other languages in the wizard's
// translation files (assets/translations), so the GUI and the CLI say the
// same thing: "encrypting", not "tls".
var stageLabels = map[Stage]string{
	StageDNS:      "looking up the name",
	StageConnect:  "connecting",
	StageTLS:      "encrypting",
	StageGreeting: "greeting",
	StageSTARTTLS: "switching to encryption",
	StageAuth:     "logging in",
	StageDone:     "done",
	StageSend:     "sending the test message",
	StageDeliver:  "waiting for the test message",
	StageCleanup:  "deleting the test message",
}

// StageLabel is the English words for stage s (the JSON keeps the bare
// stage name); an unknown stage is given as it is.
func StageLabel(s Stage) string {
	if l, ok := stageLabels[s]; ok {
		return l
	}
	return string(s)
}

// StageLabels lists every stage that has a label, for checks that each
// one is translated.
func StageLabels() []Stage {
	return slices.Sorted(maps.Keys(stageLabels))
}
