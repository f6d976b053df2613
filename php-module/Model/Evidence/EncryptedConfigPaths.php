<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

use Magento\Config\Model\Config\Backend\Encrypted;
use Magento\Config\Model\Config\Structure\Reader;

/**
 * Config paths whose system.xml field has the Encrypted backend model.
 *
 * system.xml is read for the adminhtml scope directly: emulating the adminhtml area inside a web API request
 * (as bin/magento config:show does) switches the object manager's plugin scope, and the REST controller's
 * interceptor then failed with "Undefined array key" (a 500 on every config read that had rows to check).
 * A field's config_path is the stored path when it has one (PayPal's fields do), else its structure path.
 */
final class EncryptedConfigPaths
{
    /** @var array<string, true>|null */
    private ?array $paths = null;

    public function __construct(private readonly Reader $reader)
    {
    }

    public function isEncrypted(string $path): bool
    {
        if ($this->paths === null) {
            $config = $this->reader->read('adminhtml');
            $sections = $config['config']['system']['sections'] ?? [];
            $this->paths = [];
            $this->collect(is_array($sections) ? $sections : [], '');
        }
        return isset($this->paths[$path]);
    }

    /**
     * @param array<mixed> $elements sections, groups or fields, keyed by id
     */
    private function collect(array $elements, string $parent): void
    {
        foreach ($elements as $element) {
            if (!is_array($element) || !isset($element['id'])) {
                continue;
            }
            $path = ($parent === '' ? '' : $parent . '/') . $element['id'];
            if (isset($element['children']) && is_array($element['children'])) {
                $this->collect($element['children'], $path);
            } elseif (($element['backend_model'] ?? null) === Encrypted::class) {
                $this->paths[$path] = true;
                if (isset($element['config_path']) && is_string($element['config_path'])) {
                    $this->paths[$element['config_path']] = true;
                }
            }
        }
    }
}
