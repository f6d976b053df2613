<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Support;

use Magento\Framework\Filesystem;
use Magento\Framework\Filesystem\Directory\WriteInterface;
use PHPUnit\Framework\TestCase;

/**
 * A Filesystem whose var/ directory lives in memory.
 */
final class MemoryVarDirectory
{
    /** @var array<string, string> */
    public array $files = [];
    public Filesystem $filesystem;

    public function __construct(TestCase $test)
    {
        $directory = $test->getMockBuilder(WriteInterface::class)->getMock();
        $directory->method('isExist')->willReturnCallback(fn ($path = null) => isset($this->files[(string) $path]));
        $directory->method('readFile')->willReturnCallback(fn ($path) => $this->files[(string) $path]);
        $directory->method('writeFile')->willReturnCallback(function ($path, $content) {
            $this->files[(string) $path] = (string) $content;
            return strlen((string) $content);
        });
        $filesystem = $test->getMockBuilder(Filesystem::class)->disableOriginalConstructor()->getMock();
        $filesystem->method('getDirectoryRead')->willReturn($directory);
        $filesystem->method('getDirectoryWrite')->willReturn($directory);
        $this->filesystem = $filesystem;
    }
}
