<?php
// Settings for sending from ann@example.org, written by mailwiz.
// Paste these lines into wp-config.php above the line "That's all, stop editing!".
// mailwiz never writes the password into a file: type it between the quotes of WPMS_SMTP_PASS, or leave them empty and WP Mail SMTP uses the password typed on its settings page.
define( 'WPMS_ON', true );
define( 'WPMS_MAIL_FROM', 'ann@example.org' );
define( 'WPMS_MAIL_FROM_FORCE', true );
define( 'WPMS_MAIL_FROM_NAME', 'Ann Example' );
define( 'WPMS_MAILER', 'smtp' );
define( 'WPMS_SET_RETURN_PATH', true );
define( 'WPMS_SMTP_HOST', 'smtp.example.org' );
define( 'WPMS_SMTP_PORT', 587 );
define( 'WPMS_SSL', 'tls' );
define( 'WPMS_SMTP_AUTOTLS', true );
define( 'WPMS_SMTP_AUTH', true );
define( 'WPMS_SMTP_USER', 'ann@example.org' );
define( 'WPMS_SMTP_PASS', '' );
