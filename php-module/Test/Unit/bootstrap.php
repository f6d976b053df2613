<?php

/**
 * Unit-test bootstrap: the module's own classes by PSR-4, Magento classes from a real installation when one
 * is loadable, otherwise from the minimal test doubles in _stubs/ (registered last, so they only fill gaps).
 */

declare(strict_types=1);

$moduleRoot = dirname(__DIR__, 2);
$magentoAutoload = getenv('MAGENTO_AUTOLOAD');
if (is_string($magentoAutoload) && $magentoAutoload !== '' && is_file($magentoAutoload)) {
    require_once $magentoAutoload;
}

// Prepended: this checkout wins over any copy of the module inside that Magento tree.
spl_autoload_register(static function (string $class) use ($moduleRoot): void {
    $prefix = 'MagentoIr\\IncidentResponse\\';
    if (str_starts_with($class, $prefix)) {
        $file = $moduleRoot . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
}, true, true);

spl_autoload_register(static function (string $class): void {
    $file = __DIR__ . '/_stubs/' . str_replace('\\', '/', $class) . '.php';
    if (is_file($file)) {
        require_once $file;
    }
});
