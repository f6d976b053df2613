<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

use Magento\Framework\Exception\InputException;
use Magento\Framework\Phrase;

/**
 * Which config paths the evidence route may read, and which stored paths a request matches.
 *
 * A pattern is a path whose segments may be *: a trailing * matches the rest of a path (one or more
 * segments), any other * exactly one segment. A requested pattern is allowed when an allow-list
 * pattern matches every path it can match.
 */
final class ConfigPathPatterns
{
    /** Where skimmers and backdoors hide (magento-api.md 9.7); keep in step with the contract. */
    public const ALLOW_LIST = [
        'design/head/*',
        'design/footer/*',
        'design/header/*',
        'web/unsecure/*',
        'web/secure/*',
        'admin/url/*',
        'payment/*/active',
        'payment/*/title',
        'csp/*',
        'sales_email/*/template',
    ];

    /**
     * @param list<string> $patterns validated requested patterns
     */
    private function __construct(private readonly array $patterns)
    {
    }

    /**
     * @param mixed[] $requested
     * @throws InputException when nothing is requested, or a path is malformed or outside the allow-list
     */
    public static function fromRequest(array $requested): self
    {
        if ($requested === []) {
            throw new InputException(new Phrase(
                '"%fieldName" is required. Enter and try again.',
                ['fieldName' => 'paths']
            ));
        }
        $patterns = [];
        foreach ($requested as $path) {
            $path = (string) $path;
            if (!self::isAllowed($path)) {
                throw new InputException(new Phrase(
                    'The config path "%path" is not an evidence path this route may read.',
                    ['path' => $path]
                ));
            }
            $patterns[] = $path;
        }
        return new self(array_values(array_unique($patterns)));
    }

    public static function isAllowed(string $path): bool
    {
        $segments = explode('/', $path);
        foreach ($segments as $segment) {
            if ($segment !== '*' && preg_match('/^[A-Za-z0-9_-]+$/', $segment) !== 1) {
                return false;
            }
        }
        foreach (self::ALLOW_LIST as $allowed) {
            if (self::covers(explode('/', $allowed), $segments)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param list<string> $allowed
     * @param list<string> $requested
     */
    private static function covers(array $allowed, array $requested): bool
    {
        $open = end($allowed) === '*';
        $fixed = $open ? count($allowed) - 1 : count($allowed);
        if ($open ? count($requested) <= $fixed : count($requested) !== $fixed) {
            return false;
        }
        for ($i = 0; $i < $fixed; $i++) {
            if ($allowed[$i] !== '*' && $allowed[$i] !== $requested[$i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * SQL LIKE prefixes that find every candidate row (narrowed further by matches()).
     *
     * @return list<string>
     */
    public function likePrefixes(): array
    {
        $prefixes = [];
        foreach ($this->patterns as $pattern) {
            $star = strpos($pattern, '*');
            $literal = $star === false ? $pattern : substr($pattern, 0, $star);
            $escaped = addcslashes($literal, '\\%_');
            $prefixes[] = $star === false ? $escaped : $escaped . '%';
        }
        return $prefixes;
    }

    public function matches(string $path): bool
    {
        foreach ($this->patterns as $pattern) {
            if (preg_match(self::regex($pattern), $path) === 1) {
                return true;
            }
        }
        return false;
    }

    private static function regex(string $pattern): string
    {
        $segments = explode('/', $pattern);
        $last = count($segments) - 1;
        $parts = [];
        foreach ($segments as $i => $segment) {
            if ($segment !== '*') {
                $parts[] = preg_quote($segment, '#');
                continue;
            }
            $parts[] = $i === $last ? '[^/]+(?:/[^/]+)*' : '[^/]+';
        }
        return '#^' . implode('/', $parts) . '$#';
    }
}
