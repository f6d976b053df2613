<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Maintenance;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Module\Dir;
use Magento\Store\Model\ScopeInterface;

/**
 * Renders view/frontend/templates/maintenance.html, the accessible 503 page.
 *
 * The template is plain HTML with {{placeholders}} so the sandbox can serve the very same page; every value
 * is HTML-escaped here, the merchant's message included.
 */
final class MaintenancePage
{
    public const TEMPLATE = 'frontend/templates/maintenance.html';
    public const DEFAULT_MESSAGE = 'We are making some improvements to our store and will be back shortly.';
    private const FALLBACK_STORE_NAME = 'Our store';
    /** The template's help line, and what replaces it when the store has no valid contact address. */
    public const HELP_LINE = '<p>Email us at <a href="mailto:{{help_email}}">{{help_email}}</a>'
        . ' and we will get back to you.</p>';
    public const NO_HELP_LINE = '<p>Please come back a little later.</p>';

    public function __construct(
        private readonly ScopeConfigInterface $scopeConfig,
        private readonly Dir $moduleDir
    ) {
    }

    /**
     * @param array{message: string|null, retry_after: int} $state
     */
    public function render(array $state): string
    {
        $template = (string) file_get_contents(
            $this->moduleDir->getDir('MagentoIr_IncidentResponse', Dir::MODULE_VIEW_DIR) . '/' . self::TEMPLATE
        );
        $helpEmail = $this->helpEmail();
        if ($helpEmail === '') {
            // An empty mailto: link has no accessible name (axe-core link-name): say something else instead.
            $template = str_replace(self::HELP_LINE, self::NO_HELP_LINE, $template);
        }
        return self::fill($template, [
            'lang' => $this->language(),
            'store_name' => $this->config('general/store_information/name') ?? self::FALLBACK_STORE_NAME,
            'message' => $state['message'] ?? self::DEFAULT_MESSAGE,
            'retry_minutes' => (string) max(1, (int) ceil($state['retry_after'] / 60)),
            'help_email' => $helpEmail,
        ]);
    }

    /**
     * Replaces each {{name}} with its HTML-escaped value.
     *
     * @param array<string, string> $values
     */
    public static function fill(string $template, array $values): string
    {
        $replacements = [];
        foreach ($values as $name => $value) {
            $replacements['{{' . $name . '}}'] = htmlspecialchars(
                $value,
                ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5,
                'UTF-8'
            );
        }
        return strtr($template, $replacements);
    }

    private function language(): string
    {
        $locale = $this->config('general/locale/code') ?? 'en_US';
        return preg_match('/^[a-z]{2,3}(_[A-Za-z0-9]{2,8})*$/', $locale) === 1 ? str_replace('_', '-', $locale) : 'en';
    }

    private function helpEmail(): string
    {
        foreach (['trans_email/ident_support/email', 'trans_email/ident_general/email'] as $path) {
            $email = $this->config($path);
            if ($email !== null && filter_var($email, FILTER_VALIDATE_EMAIL) !== false) {
                return $email;
            }
        }
        return '';
    }

    private function config(string $path): ?string
    {
        $value = $this->scopeConfig->getValue($path, ScopeInterface::SCOPE_STORE);
        return is_scalar($value) && trim((string) $value) !== '' ? trim((string) $value) : null;
    }
}
