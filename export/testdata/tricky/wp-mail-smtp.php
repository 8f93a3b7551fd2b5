<?php
// Settings for sending from dan.o@example.net, written by mailwiz.
// Warning: this setup sends your password over the network unencrypted. Use it only if your provider offers nothing better.
// Use port 465 (SSL/TLS) or 587 (STARTTLS). Port 25 is blocked by many Internet providers and by cloud (SaaS) services, so a program set to port 25 often cannot connect.
// Paste these lines into wp-config.php above the line "That's all, stop editing!".
// mailwiz never writes the password into a file: type it between the quotes of WPMS_SMTP_PASS, or leave them empty and WP Mail SMTP uses the password typed on its settings page.
define( 'WPMS_ON', true );
define( 'WPMS_MAIL_FROM', 'dan.o@example.net' );
define( 'WPMS_MAIL_FROM_FORCE', true );
define( 'WPMS_MAIL_FROM_NAME', 'Dan "D" O\'Neil & <Co> 100% ^!' );
define( 'WPMS_MAILER', 'smtp' );
define( 'WPMS_SET_RETURN_PATH', true );
define( 'WPMS_SMTP_HOST', 'mail.example.net' );
define( 'WPMS_SMTP_PORT', 25 );
define( 'WPMS_SSL', '' );
define( 'WPMS_SMTP_AUTOTLS', true );
define( 'WPMS_SMTP_AUTH', true );
define( 'WPMS_SMTP_USER', 'relay-user' );
define( 'WPMS_SMTP_PASS', '' );
