<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

use Magento\Config\Console\Command\EmulatedAdminhtmlAreaProcessor;
use Magento\Config\Model\Config\Backend\Encrypted;
use Magento\Config\Model\Config\StructureFactory;

/**
 * Config paths whose system.xml field has the Encrypted backend model.
 *
 * The config structure (adminhtml system.xml) is only loaded in the adminhtml area, so it is read
 * under an emulated adminhtml area, as bin/magento config:show does.
 */
final class EncryptedConfigPaths
{
    /** @var array<string, true>|null */
    private ?array $paths = null;

    public function __construct(
        private readonly EmulatedAdminhtmlAreaProcessor $adminhtml,
        private readonly StructureFactory $structureFactory
    ) {
    }

    public function isEncrypted(string $path): bool
    {
        if ($this->paths === null) {
            $paths = $this->adminhtml->process(
                fn (): array => $this->structureFactory->create()
                    ->getFieldPathsByAttribute('backend_model', Encrypted::class)
            );
            $this->paths = array_fill_keys(array_map('strval', (array) $paths), true);
        }
        return isset($this->paths[$path]);
    }
}
