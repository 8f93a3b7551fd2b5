<?php
// Настройки отправки с адреса boris+news@почта.рф, записанные mailwiz.
// Вставьте эти строки в wp-config.php выше строки «That's all, stop editing!» (в русской версии WordPress — «Это всё, дальше не редактируем»).
// mailwiz никогда не записывает пароль в файл: впишите его между кавычками WPMS_SMTP_PASS или оставьте их пустыми, и WP Mail SMTP возьмёт пароль, введённый на странице его настроек.
define( 'WPMS_ON', true );
define( 'WPMS_MAIL_FROM', 'boris+news@xn--80a1acny.xn--p1ai' );
define( 'WPMS_MAIL_FROM_FORCE', true );
define( 'WPMS_MAIL_FROM_NAME', 'Борис Петров' );
define( 'WPMS_MAILER', 'smtp' );
define( 'WPMS_SET_RETURN_PATH', true );
define( 'WPMS_SMTP_HOST', 'smtp.xn--80a1acny.xn--p1ai' );
define( 'WPMS_SMTP_PORT', 465 );
define( 'WPMS_SSL', 'ssl' );
define( 'WPMS_SMTP_AUTOTLS', true );
define( 'WPMS_SMTP_AUTH', true );
define( 'WPMS_SMTP_USER', 'boris' );
define( 'WPMS_SMTP_PASS', '' );
