<?php
// Settings for sending from carol@outlook.com, written by mailwiz.
// Outlook.com accepts only a browser sign-in (OAuth2): a password, even an app password, is refused. Mailing programs, CRMs and website plugins that log in with a password cannot send through this account.
// Paste these lines into wp-config.php above the line "That's all, stop editing!".
// mailwiz never writes the password into a file: type it between the quotes of WPMS_SMTP_PASS, or leave them empty and WP Mail SMTP uses the password typed on its settings page.
define( 'WPMS_ON', true );
define( 'WPMS_MAIL_FROM', 'carol@outlook.com' );
define( 'WPMS_MAIL_FROM_FORCE', true );
define( 'WPMS_MAIL_FROM_NAME', 'Carol' );
define( 'WPMS_MAILER', 'smtp' );
define( 'WPMS_SET_RETURN_PATH', true );
define( 'WPMS_SMTP_HOST', 'smtp-mail.outlook.com' );
define( 'WPMS_SMTP_PORT', 587 );
define( 'WPMS_SSL', 'tls' );
define( 'WPMS_SMTP_AUTOTLS', true );
define( 'WPMS_SMTP_AUTH', true );
define( 'WPMS_SMTP_USER', 'carol@outlook.com' );
define( 'WPMS_SMTP_PASS', '' );
